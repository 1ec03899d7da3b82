export { validateInto, validateFast, type ValidateOptions } from "./validate";
export { compileCheck, type FastCheck } from "./compile";
export { hasValidationRules } from "./known";
