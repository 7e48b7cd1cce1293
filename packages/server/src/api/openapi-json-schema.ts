import { z } from 'zod';
import { wireFormat } from '@switchboard/core';

export type JsonSchema = Record<string, unknown>;

/**
 * zod leaves `default` out of input schemas when the defaulted schema transforms (as the
 * case-insensitive enums do), so a client would not learn that e.g. `communicationType`
 * defaults to `unified`. Put it back wherever the default is itself a valid input.
 */
function restoreInputDefault({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  const def = zodSchema._zod.def as { type: string; defaultValue?: unknown; innerType?: z.ZodType };
  if (def.type !== 'default' || 'default' in jsonSchema || !def.innerType) return;
  const value = def.defaultValue;
  if (value !== undefined && def.innerType.safeParse(value).success) jsonSchema.default = JSON.parse(JSON.stringify(value));
}

type Wire = { input: JsonSchema; output?: JsonSchema };

/** The wire form registered on a schema, or on the schema it wraps (optional, default, a described copy). */
function wrappedWire(zodSchema: z.core.$ZodType): Wire | undefined {
  let current: z.core.$ZodType | undefined = zodSchema;
  for (let depth = 0; current && depth < 8; depth++) {
    const wire = wireFormat.get(current);
    if (wire) return wire;
    const def = current._zod.def as { innerType?: z.core.$ZodType };
    current = current._zod.parent ?? def.innerType;
  }
  return undefined;
}

/**
 * A schema that reads its value from a string (a query number, an upper-case enum) shows its wire
 * form instead; a wrapper with its own description keeps it and adds the wire form's.
 */
function applyWireFormat(zodSchema: z.core.$ZodType, jsonSchema: JsonSchema, io: 'input' | 'output'): void {
  const own = wireFormat.get(zodSchema);
  const shown = io === 'input' ? own?.input : own?.output;
  if (shown) {
    const kept = jsonSchema.default;
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(jsonSchema, structuredClone(shown));
    if (kept !== undefined && !('default' in shown)) jsonSchema.default = kept;
    return;
  }
  const note = io === 'input' ? wrappedWire(zodSchema)?.input.description : undefined;
  if (typeof note === 'string' && typeof jsonSchema.description === 'string' && !jsonSchema.description.includes(note)) {
    jsonSchema.description = `${jsonSchema.description.replace(/\.?$/, '.')} ${note}`;
  }
}

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: (context) => {
      applyWireFormat(context.zodSchema, context.jsonSchema, io);
      if (io === 'input') restoreInputDefault(context);
    },
  }) as JsonSchema;
  return rest;
}

