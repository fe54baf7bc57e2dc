// The verify report as docs/verify.md documents it. The doc is the oracle: the
// JSON Schema block under "### JSON schema" is read from the doc itself and a
// parsed --json report is checked against it (required fields, types, enums,
// and no field the doc does not list), so a field added to the code but not
// to the doc fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VERIFY_DOC = join(import.meta.dirname, '../../docs/verify.md');

/** The JSON Schema keywords the doc's schema uses; any other keyword is refused, not ignored. */
export interface Schema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | false;
  items?: Schema;
  minimum?: number;
}

const KEYWORDS = new Set(['$schema', '$id', 'title', 'description', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minimum']);

/** Every keyword in the schema is one this validator implements (so nothing documented is skipped). */
function checkKeywords(s: Schema, at: string): void {
  for (const k of Object.keys(s)) assert.ok(KEYWORDS.has(k), `docs/verify.md schema at ${at} uses "${k}", which report-schema.ts does not check`);
  for (const [k, sub] of Object.entries(s.properties ?? {})) checkKeywords(sub, `${at}.${k}`);
  if (s.items) checkKeywords(s.items, `${at}[]`);
  if (s.additionalProperties) checkKeywords(s.additionalProperties, `${at}.*`);
}

/** The schema as docs/verify.md has it: the json block of the "### JSON schema" section. */
export function documentedSchema(doc: string = readFileSync(VERIFY_DOC, 'utf8')): Schema {
  const m = /^### JSON schema[^\n]*\n[\s\S]*?^```json\n([\s\S]*?)^```$/m.exec(doc);
  assert.ok(m?.[1], 'docs/verify.md has no ```json block under "### JSON schema"');
  const schema = JSON.parse(m[1]) as Schema;
  checkKeywords(schema, '$');
  assert.equal(schema.type, 'object', 'the documented report is an object');
  assert.ok(schema.properties && schema.required, 'the documented report lists its properties and required fields');
  return schema;
}

/** The JSON type of a parsed value, with integers told apart as JSON Schema does. */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of v against s, one line each with its JSON path; [] when v follows the schema. */
export function schemaProblems(v: unknown, s: Schema, at = '$'): string[] {
  const errs: string[] = [];
  const type = typeOf(v);
  if (s.const !== undefined && v !== s.const) errs.push(`${at}: ${JSON.stringify(v)}, documented as ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
  if (s.type && s.type !== type && !(s.type === 'number' && type === 'integer')) errs.push(`${at}: a ${type}, documented as ${s.type}`);
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) errs.push(`${at}: ${v} is below the documented minimum ${s.minimum}`);
  if (type === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}: the required field ${r} is missing`);
    for (const [k, val] of Object.entries(o)) {
      const sub = s.properties?.[k] ?? s.additionalProperties;
      if (sub) errs.push(...schemaProblems(val, sub, `${at}.${k}`));
      else if (s.properties || s.additionalProperties === false) errs.push(`${at}: the field ${k} is not documented`);
    }
  }
  if (type === 'array' && s.items) (v as unknown[]).forEach((x, i) => errs.push(...schemaProblems(x, s.items as Schema, `${at}[${i}]`)));
  return errs;
}

/** Asserts that a parsed --json report follows the schema in docs/verify.md. */
export function assertDocumentedReport(report: unknown, schema: Schema = documentedSchema()): void {
  assert.deepEqual(schemaProblems(report, schema), [], 'the report differs from the schema in docs/verify.md');
}
