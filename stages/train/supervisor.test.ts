import { describe, expect, it } from 'vitest';
import { splitCommand } from './supervisor.js';

describe('splitCommand (no shell)', () => {
  it('splits words, groups quotes and never expands', () => {
    expect(splitCommand('python3 train.py --x 1')).toEqual(['python3', 'train.py', '--x', '1']);
    expect(splitCommand(`"/opt/my env/python" -c 'print("a b")' $HOME \`id\` a\\ b ""`)).toEqual(['/opt/my env/python', '-c', 'print("a b")', '$HOME', '`id`', 'a b', '']);
    expect(() => splitCommand('python "oops')).toThrow(/unterminated/);
    expect(() => splitCommand('   ')).toThrow(/empty/);
  });
});
