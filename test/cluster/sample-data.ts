/**
 * A small built-in data set so example watches have something to find: `logs` (web-server style events
 * over the last 24 h) and `flights` (shaped like Kibana's sample flights). Timestamps are relative to
 * `now` and the generator is seeded, so the same `now` always gives the same documents.
 */
import { seeded } from '../kit/seeded.ts';
export interface SampleIndex {
  index: string;
  mappings: Record<string, unknown>;
  docs: Array<Record<string, unknown>>;
}


function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

const CITIES = ['Frankfurt am Main', 'Zurich', 'Rome', 'Tokyo', 'New York', 'Sydney', 'Buenos Aires', 'Cape Town', 'Seattle', 'Venice'] as const;
const WEATHER = ['Sunny', 'Clear', 'Cloudy', 'Rain', 'Thunder & Lightning', 'Hail', 'Heavy Fog', 'Damaging Wind'] as const;
const CARRIERS = ['Logstash Airways', 'JetBeats', 'Kibana Airlines', 'ES-Air'] as const;
const SERVICES = ['checkout', 'search', 'auth', 'payments'] as const;
const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'] as const;

export function sampleData(now: number, opts: { logs?: number; flights?: number } = {}): SampleIndex[] {
  const r = seeded(42);
  const logs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < (opts.logs ?? 500); i++) {
    const level = pick(r, LEVELS);
    const status = level === 'ERROR' ? pick(r, [500, 502, 503] as const) : level === 'WARN' ? pick(r, [404, 429] as const) : 200;
    logs.push({
      '@timestamp': new Date(now - Math.floor(r() * 86_400_000)).toISOString(),
      level,
      service: pick(r, SERVICES),
      host: `web-${1 + Math.floor(r() * 4)}`,
      status,
      response_time_ms: Math.round(20 + r() * (level === 'ERROR' ? 2000 : 300)),
      message: level === 'ERROR' ? 'upstream request failed with timeout' : level === 'WARN' ? 'client request rejected' : 'request completed',
    });
  }
  const flights: Array<Record<string, unknown>> = [];
  for (let i = 0; i < (opts.flights ?? 300); i++) {
    const delayed = r() < 0.2;
    const cancelled = r() < 0.05;
    flights.push({
      FlightNum: `F${(100000 + Math.floor(r() * 899999)).toString(36).toUpperCase()}`,
      Carrier: pick(r, CARRIERS),
      OriginCityName: pick(r, CITIES),
      DestCityName: pick(r, CITIES),
      OriginWeather: pick(r, WEATHER),
      DestWeather: pick(r, WEATHER),
      AvgTicketPrice: Math.round((100 + r() * 1100) * 100) / 100,
      FlightDelay: delayed,
      FlightDelayMin: delayed ? Math.floor(r() * 360) : 0,
      Cancelled: cancelled,
      DistanceKilometers: Math.round(r() * 18000),
      timestamp: new Date(now - Math.floor(r() * 7 * 86_400_000) + 86_400_000).toISOString(),
    });
  }
  return [
    {
      index: 'logs',
      mappings: {
        '@timestamp': { type: 'date' },
        level: { type: 'keyword' },
        service: { type: 'keyword' },
        host: { type: 'keyword' },
        status: { type: 'integer' },
        response_time_ms: { type: 'long' },
        message: { type: 'text' },
      },
      docs: logs,
    },
    {
      index: 'flights',
      mappings: {
        FlightNum: { type: 'keyword' },
        Carrier: { type: 'keyword' },
        OriginCityName: { type: 'keyword' },
        DestCityName: { type: 'keyword' },
        OriginWeather: { type: 'keyword' },
        DestWeather: { type: 'keyword' },
        AvgTicketPrice: { type: 'float' },
        FlightDelay: { type: 'boolean' },
        FlightDelayMin: { type: 'integer' },
        Cancelled: { type: 'boolean' },
        DistanceKilometers: { type: 'float' },
        timestamp: { type: 'date' },
      },
      docs: flights,
    },
  ];
}
