/** Multi-document YAML in, multi-document YAML out: the text form of convertDocuments. */
import { parseAllDocuments, stringify } from 'yaml';
import { ConversionError, type ConversionWarning, convertDocuments } from './convert.ts';

export interface YamlConversionResult {
  /** The converted documents, `---` separated; documents that are not Flagger's keep their text and comments. */
  yaml: string;
  warnings: ConversionWarning[];
}

/** Converts every Flagger document in `text`; throws ConversionError on invalid YAML or unconvertible documents. */
export function convertYaml(text: string): YamlConversionResult {
  const parsed = parseAllDocuments(text);
  const docs = Array.isArray(parsed) ? parsed : [];
  const syntaxErrors = docs.flatMap((doc, i) =>
    doc.errors.map((err) => ({
      document: `document ${i + 1}`,
      field: '',
      message: `invalid YAML: ${err.message}`,
    })),
  );
  if (syntaxErrors.length > 0) throw new ConversionError(syntaxErrors);

  const entries = docs.map((doc) => ({ doc, value: doc.toJS() as unknown })).filter((e) => e.value != null);
  const { documents, warnings } = convertDocuments(entries.map((e) => e.value));
  const texts = documents.map((out, i) =>
    out === entries[i].value ? entries[i].doc.toString() : stringify(out, { lineWidth: 0 }),
  );
  const yaml = texts.map((t, i) => (i === 0 || t.startsWith('---') ? t : `---\n${t}`)).join('');
  return { yaml, warnings };
}
