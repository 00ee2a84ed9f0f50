import fc from 'fast-check';
import { OpenList } from '../../core/open-list';

describe('OpenList (core/open-list.ts)', () => {
  // Guards the array with swap-remove that replaced a Set (V8 kept a Set's old hash tables, and every closed
  // answer in them, alive through young-generation GCs): whatever the order items are added and taken out
  // in, it holds exactly what a Set would.
  it('holds exactly the items added and not taken out, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(60)), { maxLength: 300 }), (steps) => {
        const list = new OpenList<{ n: number }>();
        const expected = new Set<{ n: number }>();
        const open: Array<{ n: number }> = [];
        steps.forEach((step, n) => {
          if (step === -1 || open.length === 0) {
            const item = { n };
            list.add(item);
            expected.add(item);
            open.push(item);
          } else {
            const [item] = open.splice(step % open.length, 1);
            list.delete(item!);
            expected.delete(item!);
          }
          const all = list.all();
          expect(all).toHaveLength(expected.size);
          expect(new Set(all)).toEqual(expected);
        });
      }),
    );
  });

  it('gives a copy: closing items while going through it changes nothing in it', () => {
    const list = new OpenList<object>();
    const items = [{}, {}, {}];
    for (const item of items) list.add(item);
    const all = list.all();
    for (const item of all) list.delete(item);
    expect(all).toEqual(items);
    expect(list.all()).toEqual([]);
  });

  it('keeps one list’s slots apart from another’s on the same item', () => {
    const a = new OpenList<object>();
    const b = new OpenList<object>();
    const [x, y] = [{}, {}];
    a.add(x);
    b.add(y);
    b.add(x);
    a.delete(x);
    expect(a.all()).toEqual([]);
    expect(b.all()).toEqual([y, x]);
  });
});
