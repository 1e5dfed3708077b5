// How the console names a visitor. A name the server generated ("Visitor 4ce1") comes with its tag (protocol §4.3
// `visitorGen`, §2.2 presence `gen`), and is shown in the console's language from the tag; a name a host chose is
// shown as it is, whatever it looks like ("Visitor Bob" is someone's real name): the fact travels, nothing is guessed.

export interface VisitorNameStrings {
  visitor: string;
  visitorGen: (tag: string) => string;
}

export function visitorLabel(name: string | undefined, gen: string | undefined, s: VisitorNameStrings): string {
  return gen ? s.visitorGen(gen) : name || s.visitor;
}
