import { PROCEDURE_LIMITS } from '../../lib/private/procedure-limits';
import { logic } from '../../lambda/check-input-size/logic';
import { InvalidInputError } from '../../lambda/shared/errors';
import { memoryLogger } from '../../lambda/shared/log';

const CAP = PROCEDURE_LIMITS.executionInputBytes;
const check = (input: unknown) => logic({ log: memoryLogger() }, input);

describe('check-input-size', () => {
  test('passes an input at the cap and says its size', async () => {
    const input = { dockerImage: 'neo4j:2026.08.1-enterprise', comment: '' };
    const filler = CAP - Buffer.byteLength(JSON.stringify(input));
    await expect(check({ ...input, comment: 'x'.repeat(filler) })).resolves.toEqual({ bytes: CAP });
  });

  test('refuses one byte over it with InvalidInputError naming the size, the cap and the largest field', async () => {
    const input = { dockerImage: 'neo4j:2026.08.1-enterprise', notes: '' };
    const over = { ...input, notes: 'x'.repeat(CAP + 1 - Buffer.byteLength(JSON.stringify(input))) };
    const refusal = check(over);
    await expect(refusal).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refusal).rejects.toThrow(`the execution input is ${CAP + 1} bytes as JSON, at most ${CAP}`);
    await expect(refusal).rejects.toThrow(/its largest field is "notes" \(\d+ bytes\)/);
  });

  test('measures UTF-8 bytes and escapes as Step Functions does, not characters', async () => {
    const chars = CAP / 2; // under the cap in characters, over it in bytes
    await expect(check({ c: 'é'.repeat(chars) })).rejects.toThrow(/the execution input is \d+ bytes/);
    await expect(check({ c: '"'.repeat(chars) })).rejects.toThrow(/the execution input is \d+ bytes/);
  });

  test('measures any JSON value (what the fields mean is validate-input\'s); a large one has no field to name', async () => {
    await expect(check(null)).resolves.toEqual({ bytes: 4 });
    await expect(check('neo4j:5.26.2')).resolves.toEqual({ bytes: 14 });
    const refusal = check(['x'.repeat(CAP)]);
    await expect(refusal).rejects.toThrow(`the execution input is ${CAP + 4} bytes as JSON, at most ${CAP} (it is kept in the state, which Step Functions caps at 256 KiB)`);
    await expect(refusal).rejects.not.toThrow(/largest field/);
  });
});
