import { describe, expect, it } from 'vitest';
import { googleChatMessage } from './googlechat.ts';
import { sampleAlert } from './testing/alerts.ts';

describe('googleChatMessage', () => {
  it('is a cardsV2 card headed by the canary, with facts and measurements', () => {
    const msg = googleChatMessage(sampleAlert());
    expect(msg).toMatchObject({
      text: 'podinfo.test rolled back',
      cardsV2: [
        {
          cardId: 'kanaria-rolled-back',
          card: {
            header: { title: 'podinfo.test', subtitle: 'podinfo.test rolled back · 2026-01-05T10:04:00Z' },
          },
        },
      ],
    });
    const card = (msg.cardsV2 as { card: { sections: { header?: string; widgets: unknown[] }[] } }[])[0].card;
    expect(card.sections).toHaveLength(2);
    expect(card.sections[0].widgets).toContainEqual({
      decoratedText: { topLabel: 'Weight', text: '20%', wrapText: true },
    });
    expect(card.sections[0].widgets).toContainEqual({
      decoratedText: { topLabel: 'Reason', text: 'failed checks threshold reached 5', wrapText: true },
    });
    expect(card.sections[1].header).toBe('Measurements');
    expect(JSON.stringify(card.sections[1])).toContain('request-success-rate = 97.25: below threshold 99');
  });

  it('escapes markup in alert text', () => {
    const json = JSON.stringify(googleChatMessage(sampleAlert({ message: '<a href=x>hi</a> & bye' })));
    expect(json).toContain('&lt;a href=x&gt;hi&lt;/a&gt; &amp; bye');
  });
});
