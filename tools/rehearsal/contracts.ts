/**
 * Static contract check between the synthesized state machine and the handlers it calls, read with the
 * TypeScript compiler: every field a Task state passes (its Payload keys) must be a field of the handler's
 * input type (the second parameter of `logic`), and every required field of that type must be passed.
 * Also: every `$.x.Payload.field` a state reads must be a field of the output type of the handler whose
 * task wrote `$.x`.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { HandlerShapes, TypeShape, loadShapes, saveShapes } from './contract-shape-cache';
import { AslState, MachineModel, allStates } from './definition';

let program: ts.Program | undefined;
const shapes = new Map<string, HandlerShapes>();
const COMPILER_OPTIONS: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true };

function shapeOf(checker: ts.TypeChecker, type: ts.Type): TypeShape {
  const fields = new Map<string, { optional: boolean }>();
  const parts = type.isUnion() ? type.types : [type];
  let open = false;
  for (const t of parts) {
    if (checker.getIndexInfosOfType(t).length > 0 || (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) open = true;
    for (const p of checker.getPropertiesOfType(t)) {
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0 || parts.length > 1;
      const prev = fields.get(p.name);
      fields.set(p.name, { optional: optional || (prev?.optional ?? false) });
    }
  }
  return { fields, open };
}

function createProgram(root: string, handlers: string[]): ts.Program {
  return ts.createProgram(handlers.map((h) => path.join(root, 'lambda', h, 'logic.ts')), COMPILER_OPTIONS);
}

/**
 * One program over every handler the state machine calls (a checker per handler would take minutes), or
 * the shapes it gave last time when no file it read changed (contract-shape-cache.ts).
 */
function prepare(root: string, handlers: string[]): void {
  shapes.clear();
  program = undefined;
  const stored = loadShapes(root, handlers, COMPILER_OPTIONS);
  if (stored) {
    for (const [h, s] of stored) shapes.set(h, s);
    return;
  }
  program = createProgram(root, handlers);
  try {
    for (const h of handlers) handlerShapes(root, h);
  } catch {
    return; // Not stored: contractFindings reports the handler it could not read.
  }
  saveShapes(root, handlers, COMPILER_OPTIONS, program, shapes);
}

function handlerShapes(root: string, handler: string): HandlerShapes {
  const cached = shapes.get(handler);
  if (cached) return cached;
  const file = path.join(root, 'lambda', handler, 'logic.ts');
  if (!program) program = createProgram(root, [handler]);
  const sf = (program as ts.Program).getSourceFile(file);
  const result: HandlerShapes = {};
  if (!sf) return result;
  const checker = (program as ts.Program).getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  const logic = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'logic');
  if (logic) {
    const type = checker.getTypeOfSymbolAtLocation(logic, sf);
    const sig = type.getCallSignatures()[0];
    const param = sig?.getParameters()[1];
    if (param) result.input = shapeOf(checker, checker.getTypeOfSymbolAtLocation(param, sf));
    if (sig) {
      const ret = sig.getReturnType();
      const awaited = checker.getAwaitedType(ret) ?? ret;
      result.output = shapeOf(checker, awaited);
    }
  }
  shapes.set(handler, result);
  return result;
}

function payloadOf(state: AslState): Record<string, unknown> | undefined {
  const p = state.Parameters as Record<string, unknown> | undefined;
  if (!p) return undefined;
  return (p.Payload ?? p) as Record<string, unknown>;
}

export function contractFindings(root: string, model: MachineModel): string[] {
  prepare(root, [...new Set(model.tasks.map((t) => t.handler))]);
  const findings: string[] = [];
  const taskByState = new Map(model.tasks.map((t) => [t.stateName, t]));
  const writers = new Map<string, string>(); // result path -> handler
  const states = allStates(model.definition);
  for (const [name, state] of states) {
    const task = taskByState.get(name);
    if (task && typeof state.ResultPath === 'string') writers.set(state.ResultPath, task.handler);
  }
  for (const [name, state] of states) {
    const task = taskByState.get(name);
    if (!task) continue;
    let shapesOfHandler: { input?: TypeShape };
    try {
      shapesOfHandler = handlerShapes(root, task.handler);
    } catch (e) {
      findings.push(`"${name}": could not read ${task.handler}'s types: ${(e as Error).message}`);
      continue;
    }
    const input = shapesOfHandler.input;
    const payload = payloadOf(state);
    if (!input || !payload) continue;
    const given = Object.keys(payload).map((k) => k.replace(/\.\$$/, ''));
    if (!input.open) {
      for (const k of given) {
        if (!input.fields.has(k)) findings.push(`"${name}" passes ${k}, which ${task.handler}'s input does not have (ignored by the handler)`);
      }
    }
    for (const [k, f] of input.fields) {
      if (!f.optional && !given.includes(k)) findings.push(`"${name}" does not pass ${k}, which ${task.handler}'s input requires`);
    }
  }
  // Reads of handler outputs: '$.<path>.Payload.<field>' in any Parameters/ItemSelector/InputPath.
  const reads: Array<[string, string]> = [];
  const collect = (stateName: string, v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$((?:\.[A-Za-z0-9_]+)+)\.Payload\.([A-Za-z0-9_]+)/g)) reads.push([stateName, `$${m[1]}|${m[2]}`]);
    } else if (Array.isArray(v)) v.forEach((x) => collect(stateName, x));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => collect(stateName, x));
  };
  for (const [name, state] of states) collect(name, [state.Parameters, state.ItemSelector, state.InputPath, state.ItemsPath, state.TimeoutSecondsPath]);
  for (const [stateName, key] of reads) {
    const [resultPath, field] = key.split('|');
    const handler = writers.get(resultPath);
    if (!handler) continue;
    const output = handlerShapes(root, handler).output;
    if (output && !output.open && !output.fields.has(field)) {
      findings.push(`"${stateName}" reads ${resultPath}.Payload.${field}, but ${handler}'s output has no ${field}`);
    }
  }
  // Reads of the plan (validate-input's output kept at a result path by a Pass state).
  const planWriter = model.tasks.find((t) => t.handler === 'validate-input');
  if (planWriter) {
    const planOut = handlerShapes(root, planWriter.handler).output;
    const planPaths = new Set<string>();
    for (const [, state] of states) {
      if (state.Type === 'Pass' && typeof state.InputPath === 'string' && typeof state.ResultPath === 'string' && /\.Payload$/.test(state.InputPath)) {
        planPaths.add(state.ResultPath);
      }
    }
    for (const [name, state] of states) {
      const text = JSON.stringify([state.Parameters, state.ItemSelector, state.TimeoutSecondsPath, state.ItemsPath]);
      for (const p of planPaths) {
        const re = new RegExp(`\\${p}\\.([A-Za-z0-9_]+)`, 'g');
        for (const m of text.matchAll(re)) {
          if (planOut && !planOut.open && !planOut.fields.has(m[1])) {
            findings.push(`"${name}" reads ${p}.${m[1]}, but ${planWriter.handler}'s output (the plan) has no ${m[1]}`);
          }
        }
      }
    }
  }
  return [...new Set(findings)];
}
