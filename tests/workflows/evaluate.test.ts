import { describe, expect, it } from 'vitest';
import { workflowRequestSchema, type WorkflowDefinition, type WorkflowRuleInput, type WorkflowRequest } from '@switchboard/core';
import { evaluateWorkflow, isOpen, localTime } from '@switchboard/server';

/** A definition as the API stores it: parsed by the request schema, defaults filled in. */
function define(rules: WorkflowRuleInput[], fallback: WorkflowRequest['fallback'] = { agentId: 'agent_bot' }): WorkflowDefinition {
  const parsed = workflowRequestSchema.parse({ name: 'test', rules, fallback });
  return { rules: parsed.rules, fallback: parsed.fallback };
}

const at = (iso: string) => new Date(iso);
const route = (definition: WorkflowDefinition, now: Date, text = 'Hello, I need help with my order', attributes: Record<string, string> = {}) =>
  evaluateWorkflow(definition, { text, attributes, now });

const TEAM = { kind: 'team', teamId: 'team_support', rule: 0 } as const;
const FALLBACK = { kind: 'agent', agentId: 'agent_bot', rule: 'fallback' } as const;

describe('business hours', () => {
  const newYork = define([
    {
      name: 'office hours',
      when: { businessHours: { timeZone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' } },
      then: { teamId: 'team_support' },
    },
  ]);

  it('routes the same message to the team inside the hours and to the agent outside them (America/New_York)', () => {
    const text = 'Where is my parcel?';
    // Monday 09:30 in New York (UTC-5 in January) is 14:30 UTC.
    expect(route(newYork, at('2024-01-15T14:30:00Z'), text)).toEqual(TEAM);
    // Monday 10:00 UTC would be inside 09:00–17:00 in UTC, but it is 05:00 in New York.
    expect(route(newYork, at('2024-01-15T10:00:00Z'), text)).toEqual(FALLBACK);
    // Tuesday 03:00 UTC is still Monday 22:00 in New York: after hours.
    expect(route(newYork, at('2024-01-16T03:00:00Z'), text)).toEqual(FALLBACK);
    // Saturday 02:00 UTC is Friday 21:00 in New York, Saturday 15:00 UTC is Saturday 10:00 there: both closed.
    expect(route(newYork, at('2024-01-20T02:00:00Z'), text)).toEqual(FALLBACK);
    expect(route(newYork, at('2024-01-20T15:00:00Z'), text)).toEqual(FALLBACK);
    // Friday 16:59 local is open; 17:00 (the end) is not.
    expect(route(newYork, at('2024-01-19T21:59:00Z'), text)).toEqual(TEAM);
    expect(route(newYork, at('2024-01-19T22:00:00Z'), text)).toEqual(FALLBACK);
  });

  it('follows daylight saving time: 13:30 UTC is 09:30 in July (EDT) but 08:30 in January (EST)', () => {
    expect(route(newYork, at('2024-07-15T13:30:00Z'))).toEqual(TEAM);
    expect(route(newYork, at('2024-01-15T13:30:00Z'))).toEqual(FALLBACK);
  });

  it('uses the local day, not the UTC day (Asia/Tokyo)', () => {
    const tokyo = define([
      {
        when: { businessHours: { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '12:00' } },
        then: { teamId: 'team_support' },
      },
    ]);
    const text = 'Where is my parcel?';
    // Sunday 23:30 UTC is Monday 08:30 in Tokyo: open, although it is Sunday in UTC.
    expect(localTime(at('2024-01-14T23:30:00Z'), 'Asia/Tokyo')).toEqual({ day: 'mon', minutes: 8 * 60 + 30 });
    expect(route(tokyo, at('2024-01-14T23:30:00Z'), text)).toEqual(TEAM);
    // Friday 15:30 UTC is Saturday 00:30 in Tokyo: closed, although it is a weekday in UTC.
    expect(route(tokyo, at('2024-01-19T15:30:00Z'), text)).toEqual(FALLBACK);
    // Monday 05:00 UTC is Monday 14:00 in Tokyo: after 12:00.
    expect(route(tokyo, at('2024-01-15T05:00:00Z'), text)).toEqual(FALLBACK);
  });

  it('matches outside the hours with inside: false', () => {
    const afterHours = define(
      [
        {
          name: 'after hours',
          when: { businessHours: { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00', inside: false } },
          then: { agentId: 'agent_night' },
        },
      ],
      { teamId: 'team_support' },
    );
    expect(route(afterHours, at('2024-01-15T01:00:00Z'))).toEqual({ kind: 'team', teamId: 'team_support', rule: 'fallback' }); // Mon 10:00 JST
    expect(route(afterHours, at('2024-01-15T10:00:00Z'))).toEqual({ kind: 'agent', agentId: 'agent_night', rule: 0 }); // Mon 19:00 JST
    expect(route(afterHours, at('2024-01-13T01:00:00Z'))).toEqual({ kind: 'agent', agentId: 'agent_night', rule: 0 }); // Sat 10:00 JST
  });

  it('handles a span crossing midnight: it belongs to the day it starts on', () => {
    const night = { timeZone: 'Europe/Paris', days: ['fri'] as const, start: '22:00', end: '06:00' };
    const hours = define([{ when: { businessHours: { ...night, days: [...night.days] } }, then: { teamId: 'team_support' } }]).rules[0]!.when.businessHours!;
    // Paris is UTC+1 in January.
    expect(isOpen(hours, at('2024-01-19T20:59:00Z'))).toBe(false); // Fri 21:59
    expect(isOpen(hours, at('2024-01-19T21:00:00Z'))).toBe(true); // Fri 22:00
    expect(isOpen(hours, at('2024-01-19T23:30:00Z'))).toBe(true); // Sat 00:30
    expect(isOpen(hours, at('2024-01-20T04:59:00Z'))).toBe(true); // Sat 05:59
    expect(isOpen(hours, at('2024-01-20T05:00:00Z'))).toBe(false); // Sat 06:00
    expect(isOpen(hours, at('2024-01-19T03:00:00Z'))).toBe(false); // Fri 04:00: Thursday's night is not listed
    expect(isOpen(hours, at('2024-01-20T22:00:00Z'))).toBe(false); // Sat 23:00: Saturday is not listed
  });

  it('wraps the week: a Sunday night span reaches into Monday morning', () => {
    const hours = define([
      { when: { businessHours: { timeZone: 'UTC', days: ['sun'], start: '20:00', end: '02:00' } }, then: { teamId: 'team_support' } },
    ]).rules[0]!.when.businessHours!;
    expect(isOpen(hours, at('2024-01-14T21:00:00Z'))).toBe(true); // Sun 21:00
    expect(isOpen(hours, at('2024-01-15T01:59:00Z'))).toBe(true); // Mon 01:59
    expect(isOpen(hours, at('2024-01-15T02:00:00Z'))).toBe(false); // Mon 02:00
    expect(isOpen(hours, at('2024-01-13T21:00:00Z'))).toBe(false); // Sat 21:00
  });

  it('treats 00:00–24:00 as the whole day', () => {
    const hours = define([
      { when: { businessHours: { timeZone: 'UTC', days: ['wed'], start: '00:00', end: '24:00' } }, then: { teamId: 'team_support' } },
    ]).rules[0]!.when.businessHours!;
    expect(isOpen(hours, at('2024-01-17T00:00:00Z'))).toBe(true);
    expect(isOpen(hours, at('2024-01-17T23:59:59Z'))).toBe(true);
    expect(isOpen(hours, at('2024-01-18T00:00:00Z'))).toBe(false);
    expect(isOpen(hours, at('2024-01-16T23:59:59Z'))).toBe(false);
  });
});

describe('message conditions', () => {
  const now = at('2024-01-15T12:00:00Z');

  it('matches keywords as whole words, case-insensitively, not as substrings', () => {
    const definition = define([{ when: { keywords: ['refund', 'opening hours'] }, then: { teamId: 'team_billing' } }]);
    const billing = { kind: 'team', teamId: 'team_billing', rule: 0 };
    expect(route(definition, now, 'I want a REFUND!')).toEqual(billing);
    expect(route(definition, now, 'refund')).toEqual(billing);
    expect(route(definition, now, 'What are your opening   hours?')).toEqual(billing);
    expect(route(definition, now, 'Was my order refunded?')).toEqual(FALLBACK);
    expect(route(definition, now, 'prefund the account')).toEqual(FALLBACK);
    expect(route(definition, now, 'refund_policy')).toEqual(FALLBACK);
    expect(route(definition, now, 'reopening hours')).toEqual(FALLBACK);
  });

  it('matches keywords next to non-Latin letters only as whole words', () => {
    const definition = define([{ when: { keywords: ['café'] }, then: { teamId: 'team_billing' } }]);
    expect(route(definition, now, 'Un CAFÉ, svp')).toMatchObject({ rule: 0 });
    expect(route(definition, now, 'cafés')).toEqual(FALLBACK);
  });

  it('searches a regular expression case-insensitively', () => {
    const definition = define([{ when: { regex: '^order\\s+#?\\d{3,}$' }, then: { teamId: 'team_orders' } }]);
    expect(route(definition, now, 'Order #12345')).toEqual({ kind: 'team', teamId: 'team_orders', rule: 0 });
    expect(route(definition, now, 'order 999')).toMatchObject({ rule: 0 });
    expect(route(definition, now, 'my order 12345')).toEqual(FALLBACK);
    expect(route(definition, now, 'Order #12')).toEqual(FALLBACK);
    const anywhere = define([{ when: { regex: '\\b\\d{4}-\\d{4}\\b' }, then: { teamId: 'team_orders' } }]);
    expect(route(anywhere, now, 'my ticket is 1234-5678, thanks')).toMatchObject({ rule: 0 });
  });

  it("matches languages against the primary subtag of the contact's language attribute", () => {
    const definition = define([{ when: { languages: ['fr', 'DE'] }, then: { teamId: 'team_europe' } }]);
    const europe = { kind: 'team', teamId: 'team_europe', rule: 0 };
    expect(route(definition, now, 'Bonjour', { language: 'fr' })).toEqual(europe);
    expect(route(definition, now, 'Bonjour', { language: 'fr-CA' })).toEqual(europe);
    expect(route(definition, now, 'Hallo', { language: 'de_AT' })).toEqual(europe);
    expect(route(definition, now, 'Bonjour', { language: 'FR' })).toEqual(europe);
    expect(route(definition, now, 'Hello', { language: 'en-GB' })).toEqual(FALLBACK);
    expect(route(definition, now, 'Bonjour', {})).toEqual(FALLBACK);
    expect(route(definition, now, 'Bonjour', { locale: 'fr' })).toEqual(FALLBACK);
  });

  it('matches a contact attribute exactly', () => {
    const definition = define([{ when: { attribute: { name: 'plan', equals: 'enterprise' } }, then: { teamId: 'team_vip' } }]);
    expect(route(definition, now, 'hi', { plan: 'enterprise' })).toEqual({ kind: 'team', teamId: 'team_vip', rule: 0 });
    expect(route(definition, now, 'hi', { plan: 'Enterprise' })).toEqual(FALLBACK);
    expect(route(definition, now, 'hi', { plan: 'enterprise ' })).toEqual(FALLBACK);
    expect(route(definition, now, 'hi', {})).toEqual(FALLBACK);
    const proto = define([{ when: { attribute: { name: 'constructor', equals: '' } }, then: { teamId: 'team_vip' } }]);
    expect(route(proto, now, 'hi', {})).toEqual(FALLBACK);
  });

  it('requires every condition of a rule (AND)', () => {
    const definition = define([
      {
        when: {
          keywords: ['invoice'],
          languages: ['es'],
          attribute: { name: 'plan', equals: 'pro' },
          businessHours: { timeZone: 'America/New_York', days: ['mon'], start: '09:00', end: '17:00' },
        },
        then: { teamId: 'team_es_billing' },
      },
    ]);
    const open = at('2024-01-15T15:00:00Z'); // Monday 10:00 in New York
    const all = { language: 'es-MX', plan: 'pro' };
    expect(route(definition, open, 'Necesito mi invoice', all)).toMatchObject({ kind: 'team', rule: 0 });
    expect(route(definition, open, 'Necesito mi factura', all)).toEqual(FALLBACK);
    expect(route(definition, open, 'Necesito mi invoice', { ...all, language: 'en' })).toEqual(FALLBACK);
    expect(route(definition, open, 'Necesito mi invoice', { ...all, plan: 'free' })).toEqual(FALLBACK);
    expect(route(definition, at('2024-01-16T15:00:00Z'), 'Necesito mi invoice', all)).toEqual(FALLBACK); // Tuesday
  });
});

describe('order and fallback', () => {
  const now = at('2024-01-15T12:00:00Z');
  const definition = define(
    [
      { name: 'vip', when: { attribute: { name: 'plan', equals: 'vip' } }, then: { teamId: 'team_vip' } },
      { name: 'refunds', when: { keywords: ['refund'] }, then: { teamId: 'team_billing' } },
      { name: 'urgent', when: { regex: 'urgent|asap' }, then: { agentId: 'agent_triage' } },
    ],
    { teamId: 'team_general' },
  );

  it('takes the first rule that matches, reporting its index', () => {
    expect(route(definition, now, 'refund asap', { plan: 'vip' })).toEqual({ kind: 'team', teamId: 'team_vip', rule: 0 });
    expect(route(definition, now, 'refund asap', { plan: 'basic' })).toEqual({ kind: 'team', teamId: 'team_billing', rule: 1 });
    expect(route(definition, now, 'this is URGENT', {})).toEqual({ kind: 'agent', agentId: 'agent_triage', rule: 2 });
  });

  it('falls back when nothing matches, to a team or an agent', () => {
    expect(route(definition, now, 'hello', {})).toEqual({ kind: 'team', teamId: 'team_general', rule: 'fallback' });
    expect(route(define([]), now, 'anything')).toEqual(FALLBACK);
  });

  it('always matches an empty when', () => {
    const catchAll = define([{ then: { teamId: 'team_all' } }, { when: {}, then: { teamId: 'team_never' } }]);
    expect(route(catchAll, now, '')).toEqual({ kind: 'team', teamId: 'team_all', rule: 0 });
    const explicit = define([{ when: {}, then: { agentId: 'agent_x' } }]);
    expect(route(explicit, now, 'x')).toEqual({ kind: 'agent', agentId: 'agent_x', rule: 0 });
  });

  it('skips a rule whose stored time zone this runtime does not know, instead of failing the message', () => {
    const stored: WorkflowDefinition = {
      rules: [
        { when: { businessHours: { timeZone: 'Mars/Olympus_Mons', days: ['mon'], start: '00:00', end: '24:00', inside: true } }, then: { teamId: 'team_mars' } },
      ],
      fallback: { agentId: 'agent_bot' },
    };
    expect(route(stored, now)).toEqual(FALLBACK);
  });
});
