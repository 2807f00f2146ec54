import { runMain } from '@closeloop/platform';
import { loadScoringConfig, SERVICE } from './config';
import { startScoring } from './app';

runMain(SERVICE, () => startScoring(loadScoringConfig()));
