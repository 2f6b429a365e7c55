import { describe, expect, it } from 'vitest';
import { formatTally, JobError, parseJob, parseShortDuration, statusExpectation } from './loadtester-jobs.ts';

describe('parseJob', () => {
  it('reads a request job with its defaults', () => {
    const job = parseJob({ type: 'request', url: 'http://127.0.0.1:9898/token' });
    expect(job).toMatchObject({ type: 'request', method: 'GET', count: 1, timeoutMs: 5000 });
    expect(job.url.href).toBe('http://127.0.0.1:9898/token');
    expect(job.type === 'request' && job.expect.matches(200)).toBe(true);
  });

  it('reads every request field from the string values webhooks carry', () => {
    const job = parseJob({
      type: 'request',
      url: 'http://localhost:1/token',
      method: 'post',
      count: '5',
      expect: '2xx',
      contains: 'token',
      body: 'test',
      timeout: '500ms',
    });
    expect(job).toMatchObject({ method: 'POST', count: 5, contains: 'token', body: 'test', timeoutMs: 500 });
    expect(job.type === 'request' && [job.expect.matches(201), job.expect.matches(302)]).toEqual([
      true,
      false,
    ]);
  });

  it('reads a load job and bounds it', () => {
    expect(parseJob({ type: 'load', url: 'http://127.0.0.1:1/', rps: '20', duration: '1.5s' })).toMatchObject(
      {
        type: 'load',
        rps: 20,
        durationMs: 1500,
      },
    );
    expect(parseJob({ type: 'load', url: 'http://127.0.0.1:1/' })).toMatchObject({
      rps: 10,
      durationMs: 2000,
    });
    expect(() => parseJob({ type: 'load', url: 'http://127.0.0.1:1/', duration: '6s' })).toThrow(/0, 5s/);
    expect(() => parseJob({ type: 'load', url: 'http://127.0.0.1:1/', rps: '500' })).toThrow(/1\.\.100/);
    expect(() => parseJob({ type: 'request', url: 'http://127.0.0.1:1/', count: '1000' })).toThrow(JobError);
  });

  it('calls loopback addresses only', () => {
    expect(() => parseJob({ type: 'request', url: 'http://podinfo-canary.test/token' })).toThrow(/loopback/);
    expect(() => parseJob({ type: 'request', url: 'http://10.0.0.1/' })).toThrow(/loopback/);
    expect(() => parseJob({ type: 'request', url: 'file:///etc/passwd' })).toThrow(/http/);
    expect(parseJob({ type: 'request', url: 'http://[::1]:80/' }).url.hostname).toBe('[::1]');
  });

  it('runs no shell commands and says what to send instead', () => {
    expect(() => parseJob({ cmd: 'hey -z 1m http://podinfo/' })).toThrow(/no shell commands/);
    expect(() => parseJob({ type: 'cmd', cmd: 'curl x' })).toThrow(/"request" or "load"/);
    expect(() => parseJob({})).toThrow(/metadata.type is required/);
    expect(() => parseJob({ type: 'grpc' })).toThrow(/not "request" or "load"/);
  });
});

describe('helpers', () => {
  it('parses short durations', () => {
    expect(parseShortDuration('250ms', 'd')).toBe(250);
    expect(parseShortDuration('2', 'd')).toBe(2000);
    expect(() => parseShortDuration('1m', 'd')).toThrow(JobError);
  });

  it('matches statuses and classes', () => {
    expect(statusExpectation('500').matches(500)).toBe(true);
    expect(statusExpectation(undefined).matches(204)).toBe(false);
    expect(() => statusExpectation('ok')).toThrow(JobError);
  });

  it('formats a tally in status order', () => {
    expect(formatTally({ '500': 2, '200': 18, '0': 1 })).toBe('no answer×1, 200×18, 500×2');
    expect(formatTally({})).toBe('no requests');
  });
});
