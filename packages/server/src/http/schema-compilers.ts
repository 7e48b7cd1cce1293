import { createRequire } from 'node:module';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/** One of fastify's own dependencies, resolved from fastify so that it is fastify's copy. */
function fastifyDependency<T>(name: string): T {
  const fromHere = createRequire(import.meta.url);
  return createRequire(fromHere.resolve('fastify'))(name) as T;
}

let validatorBuilder: BuildCompilerFromPool | undefined;
let serializerBuilder: SerializerFactory | undefined;

function buildValidator(...args: Parameters<BuildCompilerFromPool>): ReturnType<BuildCompilerFromPool> {
  validatorBuilder ??= fastifyDependency<() => BuildCompilerFromPool>('@fastify/ajv-compiler')();
  return validatorBuilder(...args);
}

function buildSerializer(...args: Parameters<SerializerFactory>): ReturnType<SerializerFactory> {
  serializerBuilder ??= fastifyDependency<() => SerializerFactory>('@fastify/fast-json-stringify-compiler')();
  return serializerBuilder(...args);
}

/**
 * Fastify's default schema compilers (ajv with its formats, fast-json-stringify), loaded and set
 * up the first time a route declares a Fastify JSON schema instead of whenever a server is
 * created. The routes validate with their zod schemas, so on this server that time does not
 * come. (Fastify takes them for custom compilers, which only changes how a `headers` schema is
 * compiled, and no route has one.)
 */
export const lazySchemaCompilers = { buildValidator, buildSerializer };
