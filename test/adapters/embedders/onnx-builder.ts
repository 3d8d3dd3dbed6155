/**
 * Writes ONNX model bytes by hand (a tiny protobuf encoder), so tests need no Python or download.
 * Field numbers from onnx.proto: ModelProto{ir_version 1, graph 7, opset_import 8},
 * GraphProto{node 1, name 2, initializer 5, input 11, output 12}, NodeProto{input 1, output 2,
 * op_type 4}, TensorProto{dims 1, data_type 2, name 8, raw_data 9}, ValueInfoProto{name 1, type 2},
 * TypeProto{tensor_type 1}, TypeProto.Tensor{elem_type 1, shape 2}, TensorShapeProto{dim 1},
 * Dimension{dim_value 1, dim_param 2}, OperatorSetIdProto{domain 1, version 2}.
 */
const FLOAT = 1;
const INT64 = 7;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number) => [...tag(field, 0), ...varint(n)];
const bytes = (field: number, b: ArrayLike<number>) => [...tag(field, 2), ...varint(b.length), ...Array.from(b)];
const str = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: number[][]) => bytes(field, parts.flat());

type Dim = number | string;
function valueInfo(field: number, name: string, elem: number, shape: Dim[]): number[] {
  const dims = shape.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elem), msg(2, dims)])])]);
}
function floatTensor(name: string, dims: number[], values: Float32Array): number[] {
  return msg(5, [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))]);
}
function node(op: string, inputs: string[], outputs: string[]): number[] {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op)]);
}

export interface TinyModel {
  /** Rows of the token embedding table (vocab x dim). */
  readonly table: number[][];
  /** Rows of the token-type table (2 x dim): when given, the model takes token_type_ids and adds its rows. */
  readonly typeTable?: number[][];
  /** Declare attention_mask as an input (unused by the graph, as in many exports it only masks attention). */
  readonly attentionMask?: boolean;
}

/** BERT-embeddings-like graph: out[b, s, :] = table[input_ids[b, s]] (+ typeTable[token_type_ids[b, s]]). */
export function tinyEmbeddingModel(m: TinyModel): Uint8Array {
  const dim = m.table[0]!.length;
  const flat = (rows: number[][]) => Float32Array.from(rows.flat());
  const nodes: number[][] = [];
  const inits: number[][] = [floatTensor('word_embeddings', [m.table.length, dim], flat(m.table))];
  const inputs: number[][] = [valueInfo(11, 'input_ids', INT64, ['batch', 'seq'])];
  if (m.attentionMask) inputs.push(valueInfo(11, 'attention_mask', INT64, ['batch', 'seq']));
  if (m.typeTable) {
    inputs.push(valueInfo(11, 'token_type_ids', INT64, ['batch', 'seq']));
    inits.push(floatTensor('type_embeddings', [m.typeTable.length, dim], flat(m.typeTable)));
    nodes.push(node('Gather', ['word_embeddings', 'input_ids'], ['w']));
    nodes.push(node('Gather', ['type_embeddings', 'token_type_ids'], ['t']));
    nodes.push(node('Add', ['w', 't'], ['last_hidden_state']));
  } else {
    nodes.push(node('Gather', ['word_embeddings', 'input_ids'], ['last_hidden_state']));
  }
  const graph = msg(7, [...nodes, str(2, 'tiny'), ...inits, ...inputs, valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'seq', dim])]);
  return Uint8Array.from([...int(1, 8), ...str(2, 'clickforge-test'), ...graph, ...msg(8, [str(1, ''), int(2, 13)])]);
}
