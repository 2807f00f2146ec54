export { en } from './en';
export type { TimelineKey } from './en';
export { tr } from './tr';
export { zh } from './zh';
export { he } from './he';
export { id } from './id';
