import { SetMetadata } from '@nestjs/common';

export const PUBLIC_METADATA = 'hub:auth:public';

/** Lets requests without a token reach the handler (or every handler of the class): health checks, metadata. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
