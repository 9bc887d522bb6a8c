export * from './job-names';
