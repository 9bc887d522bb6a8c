import { ageParts, channelBars, groupOf, lettersLink, statusRows, stockholmDay } from './overview-logic';

describe('the overview chart', () => {
  it('stacks each channel by groups of states, every channel and group present', () => {
    const bars = channelBars([
      { channel: 'DIGITAL', status: 'DELIVERED', count: 7 },
      { channel: 'DIGITAL', status: 'SEALED', count: 1 },
      { channel: 'PRINT', status: 'POSTED', count: 2 },
      { channel: 'PRINT', status: 'RETURNED', count: 1 },
      { channel: 'PRINT', status: 'PRINT_FAILED', count: 1 },
      { channel: 'NONE', status: 'HELD', count: 3 },
      { channel: 'NONE', status: 'CANCELLED', count: 1 },
    ]);
    expect(bars).toEqual([
      { channel: 'DIGITAL', values: { done: 7, moving: 1, held: 0, failed: 0, cancelled: 0 } },
      { channel: 'PRINT', values: { done: 2, moving: 0, held: 0, failed: 2, cancelled: 0 } },
      { channel: 'NONE', values: { done: 0, moving: 0, held: 3, failed: 0, cancelled: 1 } },
    ]);
  });

  it('counts a printed letter as on its way (it is posted next) and an unknown state too', () => {
    expect([groupOf('PRINTED'), groupOf('POSTED'), groupOf('SOMETHING_NEW')]).toEqual(['moving', 'done', 'moving']);
  });

  it('lists each state of today or the week once, in the given order', () => {
    expect(statusRows(['DELIVERED', 'HELD', 'FAILED'], [{ key: 'FAILED', count: 1 }], [{ key: 'DELIVERED', count: 4 }, { key: 'FAILED', count: 2 }])).toEqual([
      { status: 'DELIVERED', today: 0, week: 4 },
      { status: 'FAILED', today: 1, week: 2 },
    ]);
  });
});

describe('waiting times and links', () => {
  it('says a waiting time with its two largest units', () => {
    expect(ageParts(0)).toEqual([{ unit: 'min', value: 0 }]);
    expect(ageParts(59)).toEqual([{ unit: 'min', value: 59 }]);
    expect(ageParts(125)).toEqual([
      { unit: 'h', value: 2 },
      { unit: 'min', value: 5 },
    ]);
    expect(ageParts(1440 * 3 + 7)).toEqual([{ unit: 'd', value: 3 }]);
    expect(ageParts(1440 + 60 + 1)).toEqual([
      { unit: 'd', value: 1 },
      { unit: 'h', value: 1 },
    ]);
  });

  it('links to the letters list with the states and the day the list starts (Swedish calendar)', () => {
    expect(lettersLink(['FAILED', 'RETURNED'], stockholmDay('2026-03-01T23:30:00Z'))).toBe('/letters?status=FAILED&status=RETURNED&from=2026-03-02');
    expect(lettersLink(['HELD'])).toBe('/letters?status=HELD');
  });
});
