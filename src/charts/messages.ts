// Every error text the chart stage can raise, in one place so they read alike.

export const MSG = {
  noRows: (figure: string, what: string) => `${figure}: no ${what} in the input, so there is nothing to draw`,
  noScenario: (label: string, scenario: string) => `${label} has no ${scenario}-host datapath (it is measured ${scenario === 'inter' ? 'within one node only' : 'between nodes only'})`,
  compile: (figure: string, detail: string) => `figure "${figure}": the Vega-Lite spec does not compile: ${detail}`,
  warnings: (figure: string, detail: string) => `figure "${figure}": Vega-Lite rejected parts of the spec: ${detail}`,
  render: (figure: string, detail: string) => `figure "${figure}": Vega could not render the spec to SVG: ${detail}`,
  noLoader: (uri: string) => `charts render offline from inline data; refusing to load ${uri}`,
} as const;
