/**
 * The handlers' input and output shapes (contracts.ts) kept on disk between processes. Reading them takes
 * one TypeScript program over every handler the state machine calls (with the AWS SDK's declarations:
 * tens of seconds of CPU, minutes on a loaded machine), and every rehearsal (each rehearsal test file,
 * `npm run rehearse`) reads the same ones. An entry is used only while every source file that program read
 * outside node_modules has the same content, and package-lock.json and the TypeScript version are the same
 * (they fix the declarations under node_modules); anything else reads the shapes again.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface TypeShape { fields: Map<string, { optional: boolean }>; open: boolean }
export interface HandlerShapes { input?: TypeShape; output?: TypeShape }

interface StoredShape { fields: Array<[string, { optional: boolean }]>; open: boolean }
interface Entry {
  /** Content hash of each source file the program read outside node_modules, by path relative to the root. */
  readonly files: Record<string, string>;
  readonly shapes: Record<string, { input?: StoredShape; output?: StoredShape }>;
}

const CACHE_DIR = path.join(os.tmpdir(), 'cdk-neo4j-ecs-upgrades-contract-shapes');

function sha(text: string | Buffer): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function fileHash(file: string): string | undefined {
  try {
    return sha(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/** The entry's file: the handlers, the compiler options, the TypeScript version and package-lock.json name it. */
function entryFile(root: string, handlers: string[], options: ts.CompilerOptions): string {
  const key = sha(JSON.stringify([[...handlers].sort(), options, ts.version, fileHash(path.join(root, 'package-lock.json')) ?? '']));
  return path.join(CACHE_DIR, `${key}.json`);
}

const toStored = (s?: TypeShape): StoredShape | undefined => (s ? { fields: [...s.fields], open: s.open } : undefined);
const fromStored = (s?: StoredShape): TypeShape | undefined => (s ? { fields: new Map(s.fields), open: s.open } : undefined);

/** The stored shapes of `handlers`, or undefined when none are stored or a file they were read from changed. */
export function loadShapes(root: string, handlers: string[], options: ts.CompilerOptions): Map<string, HandlerShapes> | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(fs.readFileSync(entryFile(root, handlers, options), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (Object.entries(entry.files).some(([file, hash]) => fileHash(path.resolve(root, file)) !== hash)) return undefined;
  if (handlers.some((h) => !entry.shapes[h])) return undefined;
  return new Map(handlers.map((h) => [h, { input: fromStored(entry.shapes[h].input), output: fromStored(entry.shapes[h].output) }]));
}

/** Stores the shapes read with `program` (written whole, then renamed: parallel rehearsals share the directory). */
export function saveShapes(root: string, handlers: string[], options: ts.CompilerOptions, program: ts.Program, shapes: ReadonlyMap<string, HandlerShapes>): void {
  const files: Record<string, string> = {};
  for (const sf of program.getSourceFiles()) {
    if (sf.fileName.split(/[\\/]/).includes('node_modules')) continue;
    const hash = fileHash(sf.fileName);
    if (!hash) return;
    files[path.relative(root, sf.fileName)] = hash;
  }
  const entry: Entry = {
    files,
    shapes: Object.fromEntries(handlers.map((h) => [h, { input: toStored(shapes.get(h)?.input), output: toStored(shapes.get(h)?.output) }])),
  };
  const file = entryFile(root, handlers, options);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(entry));
  fs.renameSync(tmp, file);
}
