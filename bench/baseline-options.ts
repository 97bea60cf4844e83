/** What the minimal server (baseline-server.ts, run as a child) is started with and reports. */
export const DECODERS = ['pngjs', 'direct'] as const;
export type Decoder = (typeof DECODERS)[number];

export interface BaselineReady {
  port: number;
  backend: string;
  decoder: Decoder;
}
