/** Worker-thread entry for the encode step: loads the model once per thread and encodes a batch of texts. */
import { encodeIds, loadModel, type TokenizerModel } from '../../tokenizer/index.js';

const models = new Map<string, Promise<TokenizerModel>>();

export async function encodeBatch(texts: string[], options: { modelFile: string }): Promise<Uint32Array[]> {
  let m = models.get(options.modelFile);
  if (!m) {
    m = loadModel(options.modelFile);
    models.set(options.modelFile, m);
  }
  const model = await m;
  return texts.map((t) => encodeIds(model, t));
}
