/**
 * Reserved pieces at fixed ids (TrainerInterface::InitMetaPieces): <unk>, <s>, </s>, <pad> at their ids,
 * then control symbols, user-defined symbols and (with byte fallback) the 256 byte pieces, each at the
 * lowest free id. A control/user symbol equal to the bos/eos/pad piece re-types that slot.
 */
import { MassivetextError } from '../pipeline/errors.js';
import { PieceType, bytePiece } from './model-proto.js';
import type { TrainerOptions } from './trainer-options.js';

export interface MetaPiece { piece: string; type: PieceType }

export function metaPieces(o: TrainerOptions): Map<number, MetaPiece> {
  const meta = new Map<number, MetaPiece>();
  const bad = (msg: string) => new MassivetextError('bad_tokenizer_option', msg, 'check the special-piece ids and symbols');
  const insertId = (id: number, piece: string) => {
    if (id < 0) return;
    if (id >= o.vocabSize || meta.has(id)) throw bad(`special piece ${piece} cannot take id ${id}`);
    meta.set(id, { piece, type: piece === o.unkPiece ? PieceType.UNKNOWN : PieceType.CONTROL });
  };
  insertId(o.unkId, o.unkPiece);
  insertId(o.bosId, o.bosPiece);
  insertId(o.eosId, o.eosPiece);
  insertId(o.padId, o.padPiece);
  const dup = new Set<string>();
  let next = 0;
  const insertSymbol = (piece: string, type: PieceType) => {
    if (dup.has(piece)) throw bad(`${piece} is already defined`);
    dup.add(piece);
    if (piece === o.unkPiece) throw bad(`${o.unkPiece} must not be a control or user-defined symbol`);
    if (piece === o.bosPiece && o.bosId >= 0) meta.get(o.bosId)!.type = type;
    else if (piece === o.eosPiece && o.eosId >= 0) meta.get(o.eosId)!.type = type;
    else if (piece === o.padPiece && o.padId >= 0) meta.get(o.padId)!.type = type;
    else {
      while (meta.has(next)) next++;
      meta.set(next, { piece, type });
    }
  };
  for (const s of o.controlSymbols) insertSymbol(s, PieceType.CONTROL);
  for (const s of o.userDefinedSymbols) insertSymbol(s, PieceType.USER_DEFINED);
  if (o.byteFallback) for (let b = 0; b < 256; b++) insertSymbol(bytePiece(b), PieceType.BYTE);
  return meta;
}
