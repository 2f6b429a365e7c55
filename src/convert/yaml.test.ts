import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConversionError } from './convert.ts';
import { fixtureText as fixture } from './testing.ts';
import { convertYaml } from './yaml.ts';

const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);

describe('convertYaml', () => {
  it('converts the Canary of a multi-document file and keeps the other documents as written', () => {
    const text = fixture('nginx-canary.yaml');
    const { yaml, warnings } = convertYaml(text);
    expect(warnings).toEqual([]);
    const [ingressText] = text.split(/^---$/m);
    expect(yaml.startsWith(ingressText)).toBe(true); // comments and quoting of the Ingress survive
    const [ingress, canary] = parse(yaml);
    expect(ingress).toEqual(parse(text)[0]);
    expect(canary.apiVersion).toBe('kanaria.dev/v1beta1');
    expect(canary.spec).toEqual(parse(text)[1].spec);
  });

  it('is idempotent: converting its own output changes nothing', () => {
    const once = convertYaml(fixture('nginx-canary.yaml') + '---\n' + fixture('istio-canary.yaml'));
    expect(once.warnings).toHaveLength(6);
    const twice = convertYaml(once.yaml);
    expect(twice).toEqual({ yaml: once.yaml, warnings: [] });
    expect(parseAllDocuments(once.yaml)).toHaveLength(3);
  });

  it('skips empty documents and returns the warnings of all documents', () => {
    const text = `---\n---\n${fixture('istio-canary.yaml')}---\n${fixture('metric-template.yaml')}\n---\n`;
    const { yaml, warnings } = convertYaml(text);
    expect(
      parse(yaml).map((d) => `${String(d.kind)}/${String((d.metadata as { name: string }).name)}`),
    ).toEqual(['Canary/podinfo', 'MetricTemplate/latency', 'MetricTemplate/not-found-percentage']);
    expect(warnings.map((w) => w.field)).toContain('spec.service.gateways');
    expect(yaml).toContain('query: |\n');
  });

  it('returns an empty string for an empty file', () => {
    expect(convertYaml('')).toEqual({ yaml: '', warnings: [] });
  });

  it('throws a ConversionError for documents that cannot be converted', () => {
    expect(() => convertYaml(fixture('rocket-alert-provider.yaml'))).toThrow(ConversionError);
  });

  it('throws a ConversionError naming the document for invalid YAML', () => {
    try {
      convertYaml('a: 1\n---\nb: [\n');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConversionError);
      expect((err as ConversionError).issues[0].document).toBe('document 2');
      expect((err as ConversionError).issues[0].message).toMatch(/^invalid YAML: /);
    }
  });
});
