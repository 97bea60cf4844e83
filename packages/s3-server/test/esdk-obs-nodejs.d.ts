/** The part of Huawei's OBS SDK for Node.js (esdk-obs-nodejs, untyped) that the tests use. */
declare module 'esdk-obs-nodejs' {
  import type { Agent } from 'node:http';

  interface ObsClientOptions {
    access_key_id: string;
    secret_access_key: string;
    server: string;
    signature?: 'obs' | 'v2' | 'v4';
    path_style?: boolean;
    http_agent?: Agent;
    max_retry_count?: number;
  }

  interface ObsResult<T = Record<string, unknown>> {
    CommonMsg: { Status: number; Code?: string; Message?: string; RequestId?: string };
    InterfaceResult?: T;
  }

  interface ObsContent {
    Key: string;
    ETag: string;
    Size: string;
  }

  interface SignedUrl {
    SignedUrl: string;
    ActualSignedRequestHeaders: Record<string, string>;
  }

  type Params = Record<string, unknown>;

  class ObsClient {
    constructor(options: ObsClientOptions);
    createBucket(params: Params): Promise<ObsResult>;
    deleteBucket(params: Params): Promise<ObsResult>;
    putObject(params: Params): Promise<ObsResult<{ ETag: string; RequestId?: string }>>;
    getObject(params: Params): Promise<ObsResult<{ Content: Buffer | string; Metadata: Record<string, string>; ETag: string }>>;
    getObjectMetadata(params: Params): Promise<ObsResult<{ ContentLength: string; ETag: string; Metadata: Record<string, string> }>>;
    listObjects(params: Params): Promise<ObsResult<{ Contents: ObsContent[]; IsTruncated: string; NextMarker?: string }>>;
    copyObject(params: Params): Promise<ObsResult<{ ETag: string }>>;
    deleteObject(params: Params): Promise<ObsResult>;
    initiateMultipartUpload(params: Params): Promise<ObsResult<{ UploadId: string }>>;
    uploadPart(params: Params): Promise<ObsResult<{ ETag: string }>>;
    completeMultipartUpload(params: Params): Promise<ObsResult<{ ETag: string }>>;
    createSignedUrlSync(params: Params): SignedUrl;
    close(): void;
  }

  export = ObsClient;
}
