// A small YAML reader for Grafana provisioning files, no dependencies. It reads the subset those files
// use: block mappings and sequences, plain, single- and double-quoted scalars, one-line flow
// collections ([a, b], {k: v}), block scalars (| and >) and comments. Anchors, aliases, tags,
// multi-line plain or flow scalars and several documents per file are refused with the line number,
// never guessed.

export class YAMLError extends Error {}

function stripComment(text) {
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:[{,-]/.test(text[i - 1])) quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(0, i);
    }
  }
  return text;
}

function splitFlow(body, lineNo) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (quote || depth !== 0) throw new YAMLError(`line ${lineNo}: unterminated flow collection or quoted string`);
  const last = body.slice(start);
  if (last.trim() !== "" || parts.length > 0) parts.push(last);
  return parts.map((p) => p.trim()).filter((p, i, all) => p !== "" || i < all.length - 1);
}

// Index of the ": " (or final ":") that separates a mapping key from its value, outside quotes.
function keySeparator(text) {
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === ":" && (i === text.length - 1 || text[i + 1] === " " || text[i + 1] === "\t")) return i;
    else if ((c === "[" || c === "{") && i === 0) return -1;
  }
  return -1;
}

export function parseScalar(raw, lineNo) {
  const text = raw.trim();
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL") return null;
  if (/^[&*!]/.test(text)) throw new YAMLError(`line ${lineNo}: anchors, aliases and tags are not supported by this reader`);
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YAMLError(`line ${lineNo}: unterminated double-quoted string`);
    try {
      return JSON.parse(text.replace(/\\([0abtnvfre /N_LP])/g, (m, c) => ({ 0: "\\u0000", a: "\\u0007", v: "\\u000b", e: "\\u001b", " ": " ", "/": "/", N: "\\u0085", _: "\\u00a0", L: "\\u2028", P: "\\u2029" })[c] ?? m));
    } catch {
      throw new YAMLError(`line ${lineNo}: invalid double-quoted string ${text}`);
    }
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YAMLError(`line ${lineNo}: unterminated single-quoted string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) throw new YAMLError(`line ${lineNo}: flow sequences must close on the same line`);
    return splitFlow(text.slice(1, -1), lineNo).map((p) => parseScalar(p, lineNo));
  }
  if (text.startsWith("{")) {
    if (!text.endsWith("}")) throw new YAMLError(`line ${lineNo}: flow mappings must close on the same line`);
    const out = {};
    for (const part of splitFlow(text.slice(1, -1), lineNo)) {
      const sep = keySeparator(part);
      if (sep === -1) throw new YAMLError(`line ${lineNo}: expected key: value in flow mapping, found ${part}`);
      out[parseScalar(part.slice(0, sep), lineNo)] = parseScalar(part.slice(sep + 1), lineNo);
    }
    return out;
  }
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

export function parseYAML(source) {
  const lines = [];
  const raw = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  let docs = 0;
  raw.forEach((line, i) => {
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      if (line.startsWith("---") && ++docs > 1) throw new YAMLError(`line ${i + 1}: only one YAML document per file is supported`);
      if (line.slice(3).trim() !== "" && !line.slice(3).trim().startsWith("#")) {
        throw new YAMLError(`line ${i + 1}: content after the document marker is not supported`);
      }
      return;
    }
    if (/^\s*\t/.test(line) && line.trim() !== "") throw new YAMLError(`line ${i + 1}: tabs are not allowed for indentation`);
    lines.push({ no: i + 1, raw: line, indent: line.length - line.trimStart().length });
  });
  let pos = 0;

  const isBlank = (l) => stripComment(l.raw).trim() === "";
  const skipBlank = () => {
    while (pos < lines.length && isBlank(lines[pos])) pos++;
  };
  const content = (l) => stripComment(l.raw).trim();

  function blockScalar(header, parentIndent, lineNo) {
    const m = /^([|>])([-+]?)\s*$/.exec(header);
    if (!m) throw new YAMLError(`line ${lineNo}: unsupported block scalar header ${header}`);
    const body = [];
    let indent = -1;
    while (pos < lines.length) {
      const l = lines[pos];
      if (l.raw.trim() === "") {
        body.push("");
        pos++;
        continue;
      }
      if (l.indent <= parentIndent) break;
      if (indent === -1) indent = l.indent;
      if (l.indent < indent) throw new YAMLError(`line ${l.no}: block scalar line is less indented than the first`);
      body.push(l.raw.slice(indent));
      pos++;
    }
    let end = body.length;
    while (end > 0 && body[end - 1] === "") end--;
    const kept = body.slice(0, end);
    let text = m[1] === "|" ? kept.join("\n") : kept.reduce((acc, l, i) => (i === 0 ? l : acc + (l === "" || kept[i - 1] === "" ? "\n" : " ") + l), "");
    if (m[2] === "+") text += "\n".repeat(body.length - end + 1);
    else if (m[2] !== "-" && kept.length > 0) text += "\n";
    return text;
  }

  // The value after "key:" or "- ": inline scalar, block scalar, or a nested block on the next lines.
  function value(rest, parentIndent, lineNo, allowSameIndentSequence) {
    if (/^[|>]/.test(rest)) return blockScalar(rest, parentIndent, lineNo);
    if (rest !== "") {
      if (/^[&*!]/.test(rest)) throw new YAMLError(`line ${lineNo}: anchors, aliases and tags are not supported by this reader`);
      return parseScalar(rest, lineNo);
    }
    skipBlank();
    if (pos >= lines.length) return null;
    const next = lines[pos];
    if (next.indent > parentIndent) return block(next.indent);
    if (allowSameIndentSequence && next.indent === parentIndent && /^-(\s|$)/.test(content(next))) return block(next.indent);
    return null;
  }

  function block(indent) {
    skipBlank();
    const first = lines[pos];
    if (/^-(\s|$)/.test(content(first))) return sequence(indent);
    return mapping(indent);
  }

  function sequence(indent) {
    const out = [];
    for (;;) {
      skipBlank();
      if (pos >= lines.length) return out;
      const l = lines[pos];
      const text = content(l);
      if (l.indent < indent || !/^-(\s|$)/.test(text)) {
        if (l.indent > indent) throw new YAMLError(`line ${l.no}: unexpected indentation`);
        return out;
      }
      if (l.indent > indent) throw new YAMLError(`line ${l.no}: unexpected indentation`);
      const rest = text.slice(1).trimStart();
      const offset = l.raw.indexOf(rest, l.indent + 1);
      if (rest !== "" && (/^-(\s|$)/.test(rest) || (!/^[|>]/.test(rest) && keySeparator(rest) !== -1))) {
        // "- key: value" opens a mapping whose keys line up with "key"; "- - x" a nested sequence.
        lines[pos] = { no: l.no, raw: " ".repeat(offset) + l.raw.slice(offset), indent: offset };
        out.push(block(offset));
      } else {
        pos++;
        out.push(value(rest, indent, l.no, false));
      }
    }
  }

  function mapping(indent) {
    const out = {};
    for (;;) {
      skipBlank();
      if (pos >= lines.length) return out;
      const l = lines[pos];
      if (l.indent < indent) return out;
      const text = content(l);
      if (l.indent > indent) throw new YAMLError(`line ${l.no}: unexpected indentation`);
      if (/^-(\s|$)/.test(text)) return out;
      const sep = keySeparator(text);
      if (sep === -1) throw new YAMLError(`line ${l.no}: expected "key: value", found ${JSON.stringify(text)} (multi-line plain scalars are not supported by this reader)`);
      const key = parseScalar(text.slice(0, sep), l.no);
      if (key === "<<") throw new YAMLError(`line ${l.no}: merge keys are not supported by this reader`);
      pos++;
      if (Object.hasOwn(out, key)) throw new YAMLError(`line ${l.no}: duplicate key ${JSON.stringify(key)}`);
      out[key] = value(text.slice(sep + 1).trim(), indent, l.no, true);
    }
  }

  skipBlank();
  if (pos >= lines.length) return null;
  const first = lines[pos];
  const text = content(first);
  let result;
  if (/^-(\s|$)/.test(text) || keySeparator(text) !== -1) result = block(first.indent);
  else {
    result = parseScalar(text, first.no);
    pos++;
  }
  skipBlank();
  if (pos < lines.length) throw new YAMLError(`line ${lines[pos].no}: unexpected content ${JSON.stringify(content(lines[pos]))}`);
  return result;
}
