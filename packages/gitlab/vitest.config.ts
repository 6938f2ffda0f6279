import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The template tests run whole pipelines with gitlab-ci-local (seconds each, slower on a busy machine).
export default mergeConfig(shared, { test: { testTimeout: 180_000 } });
