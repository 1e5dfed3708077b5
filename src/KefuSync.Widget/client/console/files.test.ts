import { describe, expect, it } from 'vitest';
import { addFile, attOpId, cannedFile, draftFilesChannel, draftOps, parseFiles, removeFile, setCannedFile } from './files';
import { isCannedName } from './canned';

const a = { id: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'shot.png', size: 1200, type: 'image/png', w: 10, h: 20, thumb: true };
const b = { id: 'BBBBBBBBBBBBBBBBBBBBBB', name: 'invoice.pdf', size: 900, type: 'application/pdf', thumb: false };

describe('draft files document', () => {
  it('is the draft channel plus .files, a channel name the server accepts', () => {
    expect(draftFilesChannel('Q2xvcXVlQ2xvcXVlQ2xvcQ')).toBe('draft:Q2xvcXVlQ2xvcXVlQ2xvcQ.files');
    expect(draftFilesChannel('Q2xvcXVlQ2xvcXVlQ2xvcQ')).toMatch(/^[A-Za-z0-9:_.-]{1,128}$/);
  });

  it('adds each attachment once, in order, and removes one by id', () => {
    let doc = addFile('', a);
    doc = addFile(doc, b);
    doc = addFile(doc, a);
    expect(parseFiles(doc).map((x) => x.id)).toEqual([a.id, b.id]);
    expect(parseFiles(removeFile(doc, a.id))).toEqual([b]);
    // only the members of §9.3: an upload reply's signed URLs (which expire) are never written
    expect(addFile('', { ...a, url: '/x?t=1' } as typeof a)).not.toContain('url');
  });

  it('ignores lines that do not parse (two agents editing one line into nonsense)', () => {
    const doc = `${addFile('', a)}\n{"id":"broken\nnot json\n{"id":"x y","name":"n","size":1,"type":"a/b"}`;
    expect(parseFiles(doc)).toEqual([a]);
  });

  it('sends one msg per file, the text with the first, op ids from the attachment ids', () => {
    expect(draftOps('Here you go', [a, b])).toEqual([
      { id: attOpId(a.id), op: { k: 'msg', att: { id: a.id }, text: 'Here you go' } },
      { id: `att:${b.id}`, op: { k: 'msg', att: { id: b.id } } },
    ]);
    expect(draftOps('', [b])).toEqual([{ id: `att:${b.id}`, op: { k: 'msg', att: { id: b.id } } }]);
    expect(draftOps('text only', [])).toEqual([]);
    expect(attOpId(a.id).length).toBeLessThanOrEqual(64); // a client op id (§2)
  });
});

describe('canned replies files document', () => {
  it('keeps one file per reply, the last line counting, and removes it', () => {
    let doc = setCannedFile('', 'returns', a);
    doc = setCannedFile(doc, 'prices', b);
    expect(cannedFile(doc, 'returns')).toEqual(a);
    expect(cannedFile(doc, 'PRICES')).toEqual(b);
    doc = setCannedFile(doc, 'returns', b);
    expect(cannedFile(doc, 'returns')).toEqual(b);
    expect(doc.split('\n').length).toBe(2);
    doc = setCannedFile(doc, 'returns', null);
    expect(cannedFile(doc, 'returns')).toBeUndefined();
    expect(cannedFile(doc, 'prices')).toEqual(b);
    expect(cannedFile(`returns\tnot json`, 'returns')).toBeUndefined();
  });

  it('reserves _files, as _index, so no reply can be named after the document', () => {
    expect(isCannedName('_files')).toBe(false);
    expect(isCannedName('_index')).toBe(false);
    expect(isCannedName('files')).toBe(true);
  });
});
