import Prism from 'prismjs';
import 'prismjs/components/prism-rust';

Prism.manual = true;

export default Prism;
