export { validateInto } from "./validate";
export { compileCheck, type FastCheck } from "./compile";
