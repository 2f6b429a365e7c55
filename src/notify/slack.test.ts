import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, slackMessage } from './slack.ts';
import { sampleAlert } from './testing/alerts.ts';

type Block = {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
};

function blocksOf(alert = sampleAlert(), options = {}) {
  const msg = slackMessage(alert, options);
  return { msg, blocks: msg.blocks as Block[] };
}

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

describe('slackMessage', () => {
  it('heads the message with the canary and namespace', () => {
    const { blocks } = blocksOf();
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':red_circle: podinfo.test rolled back', emoji: true },
    });
  });

  it('lists canary, namespace, cluster, phase, weight and severity as fields', () => {
    const { blocks } = blocksOf();
    const fields = blocks[1].fields?.map((f) => f.text);
    expect(fields).toEqual([
      '*Canary*\npodinfo',
      '*Namespace*\ntest',
      '*Cluster*\nprod-eu1',
      '*Phase*\nFailed',
      '*Weight*\n20%',
      '*Severity*\nerror',
    ]);
  });

  it('leaves the cluster field out when no cluster is set', () => {
    const { blocks } = blocksOf(sampleAlert({ cluster: undefined }));
    expect(blocks[1].fields?.map((f) => f.text.split('\n')[0])).not.toContain('*Cluster*');
  });

  it('shows the message with its reason', () => {
    const { blocks } = blocksOf();
    expect(blocks[2]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Canary analysis failed, podinfo.test rolled back\n*Reason:* failed checks threshold reached 5',
      },
    });
  });

  it('lists the measured values behind the failure', () => {
    const { blocks } = blocksOf();
    const text = blocks[3].text?.text ?? '';
    expect(text).toContain('*Measurements*');
    expect(text).toContain('• request-success-rate = 97.25: below threshold 99');
    expect(text).toContain('• request-duration = 612.123: above threshold 500ms');
    expect(text).toContain('• load-test: webhook load-test failed: 500');
  });

  it('has no measurements block when nothing was measured, and ends with a context line', () => {
    const { blocks } = blocksOf(sampleAlert({ measurements: undefined, reason: undefined }));
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(blocks[2].text?.text).toBe('Canary analysis failed, podinfo.test rolled back');
    expect(blocks[3].elements?.[0].text).toBe('Kanaria · rolled-back · 2026-01-05T10:04:00Z');
  });

  it('carries a plain text fallback', () => {
    const { msg } = blocksOf();
    expect(msg.text).toBe(
      'podinfo.test rolled back: Canary analysis failed, podinfo.test rolled back (failed checks threshold reached 5)',
    );
  });

  it('sets channel and username only when given', () => {
    expect(blocksOf(sampleAlert(), { channel: '#deploys', username: 'kanaria' }).msg).toMatchObject({
      channel: '#deploys',
      username: 'kanaria',
    });
    const { msg } = blocksOf();
    expect(msg).not.toHaveProperty('channel');
    expect(msg).not.toHaveProperty('username');
  });

  it('marks severity with an emoji', () => {
    expect(blocksOf(sampleAlert({ severity: 'info' })).blocks[0].text?.text).toMatch(
      /^:large_green_circle: /,
    );
    expect(blocksOf(sampleAlert({ severity: 'warn' })).blocks[0].text?.text).toMatch(/^:warning: /);
  });

  it('escapes mrkdwn control characters in user text', () => {
    const { blocks } = blocksOf(sampleAlert({ message: 'a <b> & c', reason: '<!channel>' }));
    expect(blocks[2].text?.text).toBe('a &lt;b&gt; &amp; c\n*Reason:* &lt;!channel&gt;');
    expect(escapeMrkdwn('<@U1>')).toBe('&lt;@U1&gt;');
  });

  it('keeps within Block Kit limits', () => {
    const long = 'x'.repeat(5000);
    const measurements = Array.from({ length: 50 }, (_, i) => ({ name: `m${i}`, value: i, message: long }));
    const { blocks } = blocksOf(sampleAlert({ canary: long, message: long, measurements }));
    expect(blocks[0].text?.text.length).toBeLessThanOrEqual(150);
    for (const f of blocks[1].fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    expect(blocks[2].text?.text.length).toBeLessThanOrEqual(3000);
    expect(blocks[3].text?.text.length).toBeLessThanOrEqual(3000);
    expect(allText(blocks)).toContain('…');
  });
});

describe('slackMessage of a judged failure', () => {
  it('gives each judged check Block Kit fields: metric, verdict, value and what it was held against', () => {
    const measurements = [
      {
        name: 'latency',
        value: 130.25,
        threshold: 'control 100.1 ms',
        verdict: 'High',
        message:
          'latency: canary higher than control: estimate +30 ms (98% CI +27..+33.2), effect 1.30× ≥ allowed 1.10×',
      },
      {
        name: 'request-success-rate',
        value: 99.9,
        threshold: 'min 99 %',
        verdict: 'Pass',
        message: 'passed',
      },
      { name: 'load-test', message: 'webhook load-test failed: 500' },
    ];
    const { blocks } = blocksOf(sampleAlert({ measurements }));
    const sections = blocks.filter((b) => b.fields?.some((f) => f.text.startsWith('*Metric*')));
    expect(sections.map((b) => b.fields?.map((f) => f.text))).toEqual([
      ['*Metric*\nlatency', '*Verdict*\nHigh', '*Value*\n130.25', '*Against*\ncontrol 100.1 ms'],
      ['*Metric*\nrequest-success-rate', '*Verdict*\nPass', '*Value*\n99.9', '*Against*\nmin 99 %'],
    ]);
    const list = blocks.find((b) => b.text?.text.startsWith('*Measurements*'))?.text?.text ?? '';
    expect(list).toContain(
      '• latency = 130.25 against control 100.1 ms, High: latency: canary higher than control',
    );
    expect(list).toContain('• load-test: webhook load-test failed: 500');
  });
});
