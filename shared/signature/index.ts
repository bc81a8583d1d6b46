export * from './model.js';
export { verifySignature } from './verify.js';
