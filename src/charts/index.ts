// The chart stage's public face: one spec builder per figure, the figure registry, the SVG renderer and the theme.
export { datapathSpec, datapathGallerySpec } from './fig1Datapath.ts';
export { datapathCompactSpec } from './fig1Compact.ts';
export { datapathLayout, type DatapathLayout, type DiagramBox, type BoxKind } from './datapathLayout.ts';
export { performanceSpec, fig3Panels, defaultMetric, type PerformanceOptions, type PerfTest, type Fig3Panel, type Fig3PanelId } from './fig3Performance.ts';
export { cppSpec } from './fig45Cpp.ts';
export { FIGURES, figureDef, type FigureDef, type FigurePlan, type FigureRow, type FigureSection } from './figures.ts';
export { fibSpec, contextSwitchSpec } from './fig6Fib.ts';
export { launchSpec, LAUNCH_BACKEND_WORDS } from './fig7Launch.ts';
export { serviceScaleSpec, scaleRows } from './fig9ServiceScale.ts';
export { policyScaleSpec, policyScaleRows } from './fig10PolicyScale.ts';
export { renderSvg, compileSpec, figureName } from './render.ts';
export { flameSpec, icicleNodes, type IcicleNode } from './flameGraph.ts';
export { CONFIG, COMPONENT_COLORS, COMPONENT_NAMES, COMPONENT_ORDER, FONT, MODEL_COLOR, REFERENCE_COLOR, PATH_COLOR } from './theme.ts';
export { REFERENCE_IDS, isReference, orderModels, modelLabel, proxyLabel } from './order.ts';
