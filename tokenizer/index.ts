/** The tokenizer's public surface: train a SentencePiece-compatible model, write it, load it, encode. */
export { trainTokenizer, writeModel, vocabText, type TrainedModel, type TrainHooks } from './train.js';
export { defaultTrainerOptions, resolveTrainerOptions, type TrainerOptions, type Normalization } from './trainer-options.js';
export { loadModel, modelFromProto, encodeIds, encodeBytes, idsToPieces, type TokenizerModel } from './encoder.js';
export { encodeModelProto, decodeModelProto, PieceType, ModelType, bytePiece, type ModelProto, type ModelPiece } from './model-proto.js';
export { Normalizer, type NormalizerSpec } from './normalizer.js';
export { charsMapFor, rulesFor, rulesToTsv } from './nfkc-charsmap.js';
