// @webglip/widget: defines <glip-detector>. One module script is all a page needs:
//   <script type="module" src="widget/glip-detector.js"></script>
import { GlipDetectorElement } from './glip-detector.ts';

export { GlipDetectorElement };
export type { Detection } from '@webglip/core/client';

if (!customElements.get('glip-detector')) customElements.define('glip-detector', GlipDetectorElement);

declare global {
  interface HTMLElementTagNameMap {
    'glip-detector': GlipDetectorElement;
  }
}
