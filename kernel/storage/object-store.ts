export * from './object-client';
