// The bindings a WGSL module declares, read from its source: `@group(0) @binding(N) var<storage, read>
// name: …` (an input), `var<storage, read_write>` (an output), `var<uniform> params` (the uniform
// struct). run-wgsl.ts binds tensors to them by name and checks that the names match, so a kernel's
// TypeScript side cannot silently bind a tensor to the wrong slot. A binding declared more than once
// (views of one buffer with other element types, each used by other entry points) has several names:
// a run gives it under one of them.

export type BindingKind = 'input' | 'output' | 'uniform';

export interface WgslBinding {
  binding: number;
  /** Its variable names (more than one for aliased views). */
  names: string[];
  kind: BindingKind;
}

const DECLARATION = /@group\(\s*0\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var<\s*(storage\s*,\s*read_write|storage\s*,\s*read|storage|uniform)\s*>\s*([A-Za-z_][A-Za-z0-9_]*)/g;

/** The module's group-0 bindings in binding order; throws on a declaration outside group 0, or views of one binding of different kinds. */
export function wgslBindings(label: string, code: string): WgslBinding[] {
  const source = code.replace(/\/\/[^\n]*/g, ''); // line comments (the header describes bindings too)
  if (/@group\(\s*[1-9]/.test(source)) throw new Error(`${label}: bindings outside group 0 are not supported`);
  const byNumber = new Map<number, WgslBinding>();
  for (const m of source.matchAll(DECLARATION)) {
    const space = m[2].replace(/\s/g, '');
    const kind: BindingKind = space === 'uniform' ? 'uniform' : space === 'storage,read_write' ? 'output' : 'input';
    const binding = Number(m[1]);
    const seen = byNumber.get(binding);
    if (seen === undefined) byNumber.set(binding, { binding, names: [m[3]], kind });
    else if (seen.kind !== kind) throw new Error(`${label}: binding ${binding} is declared as an ${seen.kind} ("${seen.names[0]}") and as an ${kind} ("${m[3]}")`);
    else seen.names.push(m[3]);
  }
  return [...byNumber.values()].sort((a, b) => a.binding - b.binding);
}

/**
 * Checks that the module's bindings are exactly `inputs` (read-only storage), `outputs` (read_write
 * storage) and one uniform named `params`, by name (one name per binding); throws naming every mismatch.
 */
export function checkBindings(label: string, bindings: readonly WgslBinding[], inputs: readonly string[], outputs: readonly string[]): void {
  const problems: string[] = [];
  const given = new Map<string, BindingKind>([...inputs.map((n) => [n, 'input'] as const), ...outputs.map((n) => [n, 'output'] as const), ['params', 'uniform']]);
  for (const [name, kind] of given) {
    const b = bindings.find((x) => x.names.includes(name));
    if (b === undefined) problems.push(`no binding "${name}" (given as an ${kind})`);
    else if (b.kind !== kind) problems.push(`"${name}" is declared as an ${b.kind}, given as an ${kind}`);
  }
  for (const b of bindings) {
    const names = b.names.filter((n) => given.has(n));
    if (names.length === 0) problems.push(`binding ${b.binding} "${b.names.join('" / "')}" (${b.kind}) is given no tensor`);
    if (names.length > 1) problems.push(`binding ${b.binding} is given twice ("${names.join('", "')}")`);
  }
  if (problems.length > 0) throw new Error(`${label}: the module's bindings do not match the kernel's tensors: ${problems.join('; ')}`);
}

/** The binding's name a run gave (checkBindings has checked there is exactly one). */
export function givenName(binding: WgslBinding, given: ReadonlySet<string>): string {
  return binding.names.find((n) => given.has(n))!;
}
