// Checks a response body against openapi.yaml at run time: openapi-typescript's types are
// erased when the code runs, so a wrong body would pass unseen without this (ajv, OpenAPI 3.0
// `nullable` included; `x-` keywords ignored).
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const SPEC_ID = "openapi.json";

type Node = { [key: string]: unknown };

export class Contract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly spec: Node;
  checked = 0;

  constructor(specJsonPath: string) {
    this.spec = JSON.parse(readFileSync(specJsonPath, "utf8")) as Node;
    addFormats(this.ajv);
    this.ajv.addSchema(this.spec, SPEC_ID);
  }

  /** Throws unless `body` is what the spec documents for `method path` answering `status`. */
  check(method: string, path: string, status: number, body: unknown): void {
    let pointer = `/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}`;
    const response = this.at(pointer);
    if (response === undefined) throw new Error(`${method} ${path} documents no ${status}`);
    if (typeof response.$ref === "string") pointer = response.$ref.slice(1);
    const content = (this.at(pointer)?.content as Node | undefined)?.["application/json"];
    if (content === undefined) {
      if (body !== undefined && body !== null && body !== "") throw new Error(`${status} documents no body`);
    } else {
      const validate = this.ajv.getSchema(`${SPEC_ID}#${pointer}/content/${escape("application/json")}/schema`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      if (!validate(body)) {
        throw new Error(`${method} ${path} ${status}: ${this.ajv.errorsText(validate.errors)}`);
      }
    }
    this.checked += 1;
  }

  private at(pointer: string): Node | undefined {
    let node: unknown = this.spec;
    for (const part of pointer.split("/").slice(1)) {
      node = (node as Node | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    }
    return node as Node | undefined;
  }
}

function escape(part: string): string {
  return part.replaceAll("~", "~0").replaceAll("/", "~1");
}
