import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', '.widget-dist/**', 'test-results/**', 'playwright-report/**', 'models/**', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // tfjs internals are read in one file only (packages/core/src/runtime/tfjs-internals.ts).
    ignores: ['packages/core/src/runtime/tfjs-internals.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "TSAsExpression > CallExpression.expression[callee.object.name='tf'][callee.property.name=/^(backend|engine|findBackend)$/]", message: 'casting tfjs\'s backend or engine reaches into tfjs internals: add what you need to runtime/tfjs-internals.ts' },
        { selector: "TSAsExpression[typeAnnotation.typeName.name='WebGPUBackend']", message: 'cast to WebGPUBackend: use activeWebGpuBackend / asWebGpuBackend from runtime/tfjs-internals.ts' },
        { selector: "BinaryExpression[operator='instanceof'][right.name='WebGPUBackend']", message: 'use webGpuBackendRunsOn / activeWebGpuBackend from runtime/tfjs-internals.ts' },
      ],
    },
  },
);
