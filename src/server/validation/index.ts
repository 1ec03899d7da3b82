export { validateInto, validateFast } from "./validate";
export { compileCheck, type FastCheck } from "./compile";
