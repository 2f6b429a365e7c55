import { describe, expect, it } from 'vitest';
import { isMetricQueryError } from './errors.ts';
import { graphiteParams, graphiteValue } from './graphite.ts';
import { settingsOf } from './http.ts';
import { influxValue, parseCsv } from './influxdb.ts';
import { prometheusValue } from './prometheus.ts';

const s = settingsOf('test', {});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isMetricQueryError(err) ? err.code : 'not a MetricQueryError';
  }
  return undefined;
}

describe('prometheusValue', () => {
  const vector = (value: string) => ({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
  });
  it('reads vectors, scalars and infinities', () => {
    expect(prometheusValue(s, vector('99.5'))).toBe(99.5);
    expect(prometheusValue(s, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } })).toBe(
      1,
    );
    expect(prometheusValue(s, vector('+Inf'))).toBe(Infinity);
  });
  it('treats empty and NaN as no values', () => {
    expect(
      codeOf(() => prometheusValue(s, { status: 'success', data: { resultType: 'vector', result: [] } })),
    ).toBe('ENOVALUES');
    expect(codeOf(() => prometheusValue(s, vector('NaN')))).toBe('ENOVALUES');
  });
  it('rejects other shapes as malformed', () => {
    expect(codeOf(() => prometheusValue(s, { data: {} }))).toBe('EMALFORMED');
    expect(codeOf(() => prometheusValue(s, vector('abc')))).toBe('EMALFORMED');
    expect(codeOf(() => prometheusValue(s, [1]))).toBe('EMALFORMED');
  });
});

describe('graphite', () => {
  it('builds render parameters from a target or from Flagger-style parameters', () => {
    expect(graphiteParams('sumSeries(a.*.b)', 60).toString()).toBe(
      'target=sumSeries%28a.*.b%29&format=json&from=-60s',
    );
    expect(graphiteParams('target=summarize(\n  x,\n  "1min")&from=-5min', 60).toString()).toBe(
      'target=summarize%28+x%2C+%221min%22%29&from=-5min&format=json',
    );
    expect(graphiteParams('x').has('from')).toBe(false);
  });
  it('takes the last non-null datapoint', () => {
    expect(
      graphiteValue(s, [
        {
          target: 'a',
          datapoints: [
            [1, 10],
            [2, 20],
            [null, 30],
          ],
        },
      ]),
    ).toBe(2);
    expect(
      graphiteValue(s, [
        { target: 'a', datapoints: [[null, 10]] },
        { target: 'b', datapoints: [[7, 10]] },
      ]),
    ).toBe(7);
    expect(codeOf(() => graphiteValue(s, []))).toBe('ENOVALUES');
    expect(codeOf(() => graphiteValue(s, [{ target: 'a', datapoints: [[null, 1]] }]))).toBe('ENOVALUES');
    expect(codeOf(() => graphiteValue(s, { a: 1 }))).toBe('EMALFORMED');
  });
});

describe('influx CSV', () => {
  it('parses quoted fields and blank separator lines', () => {
    expect(parseCsv('a,"b,""c"""\r\n\r\n1,2')).toEqual([['a', 'b,"c"'], [], ['1', '2']]);
  });
  it('reads the first _value of plain and annotated answers', () => {
    const plain =
      ',result,table,_start,_stop,_time,_value,_field\r\n,_result,0,a,b,c,4.25,usage\r\n,_result,0,a,b,c,5,usage\r\n\r\n';
    expect(influxValue(s, plain)).toBe(4.25);
    const annotated =
      '#datatype,string,long,double\r\n#group,false,false,false\r\n#default,_result,,\r\n,result,table,_value\r\n,,0,12\r\n\r\n';
    expect(influxValue(s, annotated)).toBe(12);
  });
  it('classifies empty, null, error and foreign answers', () => {
    expect(codeOf(() => influxValue(s, '\r\n'))).toBe('ENOVALUES');
    expect(codeOf(() => influxValue(s, ',result,table,_value\r\n,_result,0,\r\n'))).toBe('ENOVALUES');
    expect(codeOf(() => influxValue(s, '#datatype,string,string\r\n,error,reference\r\n,boom,\r\n'))).toBe(
      'EHTTP',
    );
    expect(codeOf(() => influxValue(s, '{"not":"csv"}'))).toBe('EMALFORMED');
    expect(codeOf(() => influxValue(s, ',result,table,_value\r\n,_result,0,abc\r\n'))).toBe('EMALFORMED');
  });
});
