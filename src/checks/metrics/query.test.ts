import { describe, expect, it } from 'vitest';
import { renderQuery, type QueryVars } from './query.ts';

const vars: QueryVars = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo-app',
  service: 'podinfo-svc',
  ingress: 'podinfo-ing',
  interval: '1m',
  variables: { direction: 'inbound', 'status-code': '404' },
};

describe('renderQuery', () => {
  it('replaces every known variable, with or without spaces inside the braces', () => {
    const q = renderQuery(
      '{{ name }} {{namespace}} {{  target  }} {{ service}} {{ingress }} [{{ interval }}] {{ variables.direction }} {{variables.status-code}}',
      vars,
    );
    expect(q).toBe('podinfo test podinfo-app podinfo-svc podinfo-ing [1m] inbound 404');
  });

  it('renders a multi-line PromQL template', () => {
    const template = `sum(rate(http_requests_total{namespace="{{ namespace }}",pod=~"{{ target }}-.*"}[{{ interval }}]))`;
    expect(renderQuery(template, vars)).toBe(
      'sum(rate(http_requests_total{namespace="test",pod=~"podinfo-app-.*"}[1m]))',
    );
  });

  it('leaves single braces (label matchers, graphite globs) alone', () => {
    expect(renderQuery('a.{x,y}.b{c="d"}', vars)).toBe('a.{x,y}.b{c="d"}');
  });

  it('throws on an unknown variable, naming it and the known ones', () => {
    expect(() => renderQuery('{{ pod }}', vars)).toThrow(/unknown variable "pod"/);
    expect(() => renderQuery('{{ pod }}', vars)).toThrow(
      /known variables: name, namespace, target, service, ingress, interval, variables\.direction, variables\.status-code/,
    );
  });

  it('throws on a template variable that was not given', () => {
    expect(() => renderQuery('{{ variables.missing }}', { ...vars, variables: {} })).toThrow(
      /unknown variable "variables.missing"/,
    );
    expect(() => renderQuery('{{ variables.toString }}', vars)).toThrow(/variables.toString/);
  });

  it('does not reinterpret substituted values', () => {
    expect(renderQuery('{{ variables.x }}', { ...vars, variables: { x: '{{ name }}' } })).toBe('{{ name }}');
  });
});
