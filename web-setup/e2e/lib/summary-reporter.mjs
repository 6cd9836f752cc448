// node --test reporter that ends the run with the plain closing line "N passed, N failed, N skipped" that CI reads.
export default async function* summary(source) {
  let passed = 0; let failed = 0; let skipped = 0;
  for await (const event of source) {
    if (event.data?.nesting !== 0 || event.data?.details?.type === 'suite') continue;
    if (event.type === 'test:pass') {
      if (event.data.skip || event.data.todo) skipped++; else passed++;
    } else if (event.type === 'test:fail') {
      failed++;
    }
  }
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
