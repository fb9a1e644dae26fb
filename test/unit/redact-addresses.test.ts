import { describe, expect, test } from 'vitest';
import { SESv2ServiceException, MessageRejected } from '@aws-sdk/client-sesv2';
import { redactEmailAddresses, withoutEmailAddresses } from '#shared/model/email-addresses';

const REFUSAL = 'Email address is not verified. The following identities failed the check in region EU-WEST-2: ';

describe('redactEmailAddresses', () => {
  test.each([
    [`${REFUSAL}someone@example.com`, `${REFUSAL}<address>`],
    [`${REFUSAL}a.b+c@x.example, d_e@y.example.`, `${REFUSAL}<address>, <address>`],
    ['Recipient <Ffion.Pritchard@homes.example> is on the suppression list', 'Recipient <<address>> is on the suppression list'],
    ['"x@y.example" (and x@y.example;)', '"<address>" (and <address>;)'],
    ['identities: [first@one.example,second@two.example]', 'identities: [<address>,<address>]'],
  ])('%s', (text, redacted) => {
    expect(redactEmailAddresses(text)).toBe(redacted);
  });

  test('leaves text without an address as it is', () => {
    for (const text of ['Maximum sending rate exceeded.', 'Throttling: rate 14/s', '@ alone', 'a @ b', '']) expect(redactEmailAddresses(text)).toBe(text);
  });
});

describe('withoutEmailAddresses', () => {
  test("an SES error keeps its class, name and metadata, and loses the address from its message, stack and SES's fields", () => {
    const error = new MessageRejected({ message: `${REFUSAL}someone@example.com`, $metadata: { httpStatusCode: 400, requestId: 'r-1' } });
    Object.assign(error, { Message: `${REFUSAL}someone@example.com` });
    expect(error.stack).toContain('someone@example.com');

    const same = withoutEmailAddresses(error);
    expect(same).toBe(error);
    expect(same).toBeInstanceOf(MessageRejected);
    expect(same).toBeInstanceOf(SESv2ServiceException);
    expect(same.name).toBe('MessageRejected');
    expect(same.$metadata).toEqual({ httpStatusCode: 400, requestId: 'r-1' });
    expect(same.$fault).toBe('client');
    expect(same.message).toBe(`${REFUSAL}<address>`);
    expect(same.stack).toMatch(/^MessageRejected: Email address is not verified\..*: <address>\n\s+at /);
    expect(JSON.stringify({ ...same, message: same.message, stack: same.stack })).not.toContain('someone@example.com');
  });

  test('anything but an object is given back as it is', () => {
    for (const thrown of ['a@b.example', 42, undefined, null]) expect(withoutEmailAddresses(thrown)).toBe(thrown);
  });
});
