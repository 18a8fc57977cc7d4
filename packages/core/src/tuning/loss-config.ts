// The settings of GLIP's training loss (ATSSLossComputation in maskrcnn_benchmark/modeling/rpn/loss.py),
// with the official keys they stand for. Only prompt tuning reads them, so they are not part of a model
// folder's config.json; the values are GLIP-T's (configs/pretrain/glip_Swin_T_O365_GoldG.yaml over
// defaults.py), which every released GLIP-T/-L config shares.
export interface TuningLossConfig {
  /** MODEL.ATSS.TOPK: candidates per level and per box, by centre distance. */
  atssTopk: number;
  /** MODEL.ATSS.REG_LOSS_WEIGHT: multiplies the GIoU loss. */
  regLossWeight: number;
  /** MODEL.DYHEAD.FUSE_CONFIG.TOKEN_ALPHA / TOKEN_GAMMA: the token sigmoid focal loss. */
  tokenAlpha: number;
  tokenGamma: number;
  /** MODEL.DYHEAD.FUSE_CONFIG.DOT_PRODUCT_TOKEN_LOSS_WEIGHT. */
  dotProductTokenLossWeight: number;
}

export const GLIP_TUNING_LOSS: TuningLossConfig = {
  atssTopk: 9,
  regLossWeight: 2.0,
  tokenAlpha: 0.25,
  tokenGamma: 2.0,
  dotProductTokenLossWeight: 1.0,
};
