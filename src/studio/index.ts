/**
 * `orgsync/studio`: the rules studio to embed in a SaaS app's settings screen, or to run alone
 * (`orgsync studio`). See docs/studio.md.
 */
export {
  createStudioHandler,
  validateRulesText,
  type StudioOptions,
  type StudioHandler,
  type FieldIssue,
} from './server.js';
export { startStudio, type StartStudioOptions, type RunningStudio } from './standalone.js';
export { fileRulesStore, writeFileAtomicMode, type RulesStore } from './store.js';
export { studioAssetsDir, jsonEditorBundlePath, studioPage } from './assets.js';
export {
  accessPreview,
  planPreview,
  personPreview,
  type AccessPreview,
  type PersonPreview,
  type DepartmentPreview,
  type PlanPreview,
} from './preview.js';
export { buildOrgIndex, type OrgIndex, type OrgNodeView, type OrgPage } from './org.js';
export { studioSchema } from './schema.js';
