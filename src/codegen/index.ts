export { generate, generateTo, type GenerateOptions, type GeneratedFile } from "./generate";
