// The property names esbuild may shorten (mangleProps): members declared `private` in client/ and used under no other
// role anywhere in it. TypeScript guarantees no other module reads a private member, so no lazily loaded chunk, test
// or page script can; a name that is also public somewhere, an interface or object-literal key, or a string (a wire
// member, a storage key, a DOM name) is kept as it is, since renaming every use of it could reach one of those.
// Computed at build time from the sources, so a new private member is shortened and a name made public stops being.
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

/** Every identifier in TypeScript's lib files: the names of the platform (Array.filter, Function.bind, Element.hidden). */
function platformNames() {
  const lib = dirname(createRequire(import.meta.url).resolve('typescript/lib/lib.d.ts'));
  const names = new Set();
  for (const f of readdirSync(lib)) {
    if (f.startsWith('lib.') && f.endsWith('.d.ts')) for (const m of readFileSync(join(lib, f), 'utf8').matchAll(/[A-Za-z_$][\w$]*/g)) names.add(m[0]);
  }
  return names;
}

function sources(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('test-util') && !p.includes('/test/') ? [p] : [];
  });
}

export function privateNames(root = 'client') {
  const priv = new Set();
  const other = platformNames();
  for (const file of sources(root)) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      const name = node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name)) ? node.name.text : undefined;
      if (name && (ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))) {
        const mods = ts.getModifiers(node) ?? [];
        (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ? priv : other).add(name);
      } else if (ts.isParameter(node) && ts.isIdentifier(node.name) && (ts.getModifiers(node) ?? []).length) {
        // a constructor parameter property: private when it says so
        (ts.getModifiers(node).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ? priv : other).add(node.name.text);
      } else if (name && (ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node) || ts.isEnumMember(node))) {
        other.add(name);
      } else if (ts.isStringLiteralLike(node)) {
        other.add(node.text);
      } else if (ts.isShorthandPropertyAssignment(node)) {
        other.add(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return [...priv].filter((n) => !other.has(n) && n.length > 2).sort();
}

/** The esbuild option: exactly the names above. */
export function mangleProps() {
  const names = privateNames();
  return names.length ? new RegExp(`^(${names.join('|')})$`) : undefined;
}
