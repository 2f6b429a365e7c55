import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPrometheusConfig } from './prometheus.ts';

describe('renderPrometheusConfig', () => {
  it('renders one nginx job over static targets with the given intervals', () => {
    const config = parse(renderPrometheusConfig(['127.0.0.1:9100', 'localhost:10254'])) as Record<
      string,
      never
    >;
    expect(config).toEqual({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'nginx',
          scrape_interval: '1s',
          scrape_timeout: '1s',
          static_configs: [{ targets: ['127.0.0.1:9100', 'localhost:10254'] }],
        },
      ],
    });
  });

  it('accepts an empty target list and other intervals', () => {
    const config = parse(renderPrometheusConfig([], '5s')) as {
      global: { scrape_interval: string };
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.global.scrape_interval).toBe('5s');
    expect(config.scrape_configs[0].static_configs).toEqual([{ targets: [] }]);
  });

  it('rejects targets that are not host:port and bad durations', () => {
    expect(() => renderPrometheusConfig(['http://127.0.0.1:9100'])).toThrow(/invalid scrape target/);
    expect(() => renderPrometheusConfig(['127.0.0.1'])).toThrow(/invalid scrape target/);
    expect(() => renderPrometheusConfig(['a:1\n- evil:2'])).toThrow(/invalid scrape target/);
    expect(() => renderPrometheusConfig(['127.0.0.1:1'], '1 second')).toThrow(/invalid scrape interval/);
  });
});
