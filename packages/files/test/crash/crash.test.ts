import { LOCAL_STORAGE, filesCrashTest } from './crash-suite.js';

filesCrashTest(LOCAL_STORAGE);
