// `npm start`'s routing file when CLOSELOOP_CONFIG is unset: the repository's config/closeloop.yaml plus the demo
// survey-tool sources of config/demo-sources.yaml (one per kind, for `npm run demo`). A routing file that declares
// its own `sources` is used as it is. CommonJS so that the .mjs scripts and the jest tests load the same code.
'use strict';

/** A top-level `sources:` key (YAML block style, at the start of a line). */
const SOURCES_KEY = /^sources\s*:/m;

/**
 * @param {{ routing: string, demoSources: string }} input  the two files' text
 * @returns {{ text: string, added: boolean }}  the routing file to run with; added: whether the demo sources are in it
 */
function withDemoSources({ routing, demoSources }) {
  if (SOURCES_KEY.test(routing)) return { text: routing, added: false };
  return { text: `${routing.replace(/\s*$/, '\n')}\n${demoSources.replace(/\s*$/, '\n')}`, added: true };
}

module.exports = { withDemoSources };
