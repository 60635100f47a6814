/** The stderr renderers: plain lines, json-lines, the terminal's updating line, and progress sampling on an injected clock. */
import { describe, expect, it } from 'vitest';
import type { IoMessage } from '../../src/core/io-host.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { PROGRESS_INTERVAL_MS, ProgressSampler } from '../../src/cli/io/progress-sampler.js';
import { jsonLine, LineRenderer, plainLine, TerminalRenderer } from '../../src/cli/io/renderers.js';

/** A clock tests move by hand: no sleeps. */
function fakeClock(start = Date.parse('2026-11-29T12:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

/** A host whose messages go to a renderer that writes into `out`. */
function rig(make: (write: (text: string) => void) => { write(m: IoMessage): void; settle(now: Date): void }) {
  const clock = fakeClock();
  let out = '';
  const renderer = make((text) => (out += text));
  const io = new RecordingIoHost(undefined, { now: clock.now });
  const send = () => {
    for (const m of io.messages.splice(0)) renderer.write(m);
  };
  return { clock, io, send, renderer, out: () => out };
}

describe('plain line renderer', () => {
  it('prefixes warnings, hides debug unless asked, and escapes control characters', () => {
    const { io, send, out } = rig((w) => new LineRenderer(w, plainLine));
    io.info('SR_PLAN_I2007', 'Wrote plans/orders.plan.json');
    io.warn('SR_EVID_W3002', 'skipped 1 corrupt log file');
    io.debug('SR_SCAN_D1003', 'AWS calls: 3');
    io.error('SR_CLI_E9001', 'NoSuchEntity: role \u001b[31mevil\u001b[0m not found');
    send();
    expect(out()).toBe(
      'Wrote plans/orders.plan.json\nwarning: skipped 1 corrupt log file\nsplit-role: NoSuchEntity: role \\u001B[31mevil\\u001B[0m not found\n',
    );
  });

  it('shows debug messages with --debug', () => {
    const { io, send, out } = rig((w) => new LineRenderer(w, plainLine, { debug: true }));
    io.debug('SR_SCAN_D1003', 'AWS calls: 3');
    send();
    expect(out()).toBe('debug: AWS calls: 3\n');
  });

  it('shows a long run of progress every 2 s, then its final figure before the next message', () => {
    const { io, send, out, clock } = rig((w) => new LineRenderer(w, plainLine));
    // 10,000 log files, one every millisecond: 10 s of reading.
    for (let files = 1; files <= 10_000; files += 1) {
      io.progress('SR_EVID_P3001', `read ${files} log files…`, { files });
      send();
      clock.advance(1);
    }
    io.info('SR_PLAN_I2007', 'Wrote plans/orders.plan.json');
    send();
    expect(out().split('\n').filter(Boolean)).toEqual([
      'read 2001 log files…',
      'read 4001 log files…',
      'read 6001 log files…',
      'read 8001 log files…',
      'read 10000 log files…',
      'Wrote plans/orders.plan.json',
    ]);
  });

  it('shows nothing for progress that was over within 2 s', () => {
    const { io, send, out, clock } = rig((w) => new LineRenderer(w, plainLine));
    io.progress('SR_PLAN_P2001', 'indexing workloads…');
    clock.advance(300);
    io.progress('SR_PLAN_P2002', 'reading logs evidence…');
    clock.advance(300);
    io.info('SR_PLAN_I2007', 'Wrote plans/orders.plan.json');
    send();
    expect(out()).toBe('Wrote plans/orders.plan.json\n');
  });

  it('shows a single progress message that stayed current for 2 s or more', () => {
    const { io, send, out, clock, renderer } = rig((w) => new LineRenderer(w, plainLine));
    io.progress('SR_EVID_P3003', 'waiting for IAM Access Analyzer policy generation (this takes minutes)…');
    send();
    clock.advance(PROGRESS_INTERVAL_MS);
    renderer.settle(clock.now());
    expect(out()).toBe('waiting for IAM Access Analyzer policy generation (this takes minutes)…\n');
  });
});

describe('progress sampler', () => {
  it('restarts after a series ends, and never repeats a shown figure as the final one', () => {
    const clock = fakeClock();
    const sampler = new ProgressSampler(1000);
    const at = (message: string): IoMessage => ({ time: clock.now(), level: 'progress', code: 'SR_SCAN_P1001', message });
    expect(sampler.offer(at('a'))).toBeUndefined();
    clock.advance(1000);
    expect(sampler.offer(at('b'))?.message).toBe('b');
    expect(sampler.settle(clock.now())).toBeUndefined();
    expect(sampler.offer(at('c'))).toBeUndefined();
    clock.advance(999);
    expect(sampler.offer(at('d'))).toBeUndefined();
    expect(sampler.settle(clock.now())).toBeUndefined();
  });
});

describe('json-lines renderer', () => {
  it('writes one parseable object per event with time, level, code, message and data', () => {
    const { io, send, out } = rig((w) => new LineRenderer(w, jsonLine));
    io.info('SR_PLAN_I2006', '--- orders\n+++ orders-ec2', { role: 'orders-ec2' });
    io.warn('SR_SCAN_W1002', 'could not read \u0007', { role: 'x' });
    send();
    const lines = out().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l): unknown => JSON.parse(l))).toEqual([
      {
        time: '2026-11-29T12:00:00.000Z',
        level: 'info',
        code: 'SR_PLAN_I2006',
        message: '--- orders\n+++ orders-ec2',
        data: { role: 'orders-ec2' },
      },
      { time: '2026-11-29T12:00:00.000Z', level: 'warn', code: 'SR_SCAN_W1002', message: 'could not read \u0007', data: { role: 'x' } },
    ]);
    expect(out()).not.toContain('\u0007');
  });
});

describe('terminal renderer', () => {
  it('redraws progress on one line and keeps its final figure when a message follows', () => {
    const { io, send, out } = rig((w) => new TerminalRenderer(w, { columns: () => 40 }));
    io.progress('SR_EVID_P3001', 'read 1 log files…');
    io.progress('SR_EVID_P3001', 'read 2 log files…');
    io.warn('SR_EVID_W3002', 'skipped 1 corrupt log file');
    send();
    expect(out()).toBe('\r\u001b[Kread 1 log files…\r\u001b[Kread 2 log files…\nwarning: skipped 1 corrupt log file\n');
  });

  it('cuts progress to the terminal width and colours the warning prefix when asked', () => {
    const { io, send, out } = rig((w) => new TerminalRenderer(w, { columns: () => 30, colors: true }));
    io.progress('SR_EVID_P3007', `LookupEvents: session 1/9 (${'x'.repeat(60)})\nsecond line`);
    send();
    // eslint-disable-next-line no-control-regex -- strips the colour codes under test
    expect(out().replace(/\u001b\[[0-9;]*m/g, '')).toBe(`\r\u001b[K${`LookupEvents: session 1/9 (${'x'.repeat(60)})`.slice(0, 29)}`);
    io.warn('SR_EVID_W3002', 'careful');
    send();
    expect(out()).toContain('\u001b[33mwarning:\u001b[39m careful\n');
  });
});
