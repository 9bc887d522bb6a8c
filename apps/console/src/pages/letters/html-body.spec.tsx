import { render } from '@testing-library/react';
import { HtmlBody } from './html-body';

describe('an HTML body as the letter page shows it', () => {
  it('keeps paragraphs, lists, emphasis and line breaks', () => {
    const { container } = render(<HtmlBody html={'<p>Hej <strong>Anna</strong>,</p><ul><li>ett</li><li><em>två</em></li></ul><p>rad 1<br>rad 2</p>'} />);
    expect(container.innerHTML).toBe('<div class="letter-body"><p>Hej <strong>Anna</strong>,</p><ul><li>ett</li><li><em>två</em></li></ul><p>rad 1<br>rad 2</p></div>');
  });

  it('never puts markup, scripts, handlers or styles into the page', () => {
    const { container } = render(
      <HtmlBody html={'<p onclick="alert(1)" style="color:red">Text<script>window.hacked = true</script><img src=x onerror="alert(2)"><iframe src="https://example.org"></iframe></p><style>p{}</style>'} />,
    );
    expect(container.innerHTML).toBe('<div class="letter-body"><p>Text</p></div>');
    expect((window as unknown as { hacked?: boolean }).hacked).toBeUndefined();
  });

  it('shows a link as its text and address, not as a link', () => {
    const { container } = render(<HtmlBody html={'<p>Läs mer på <a href="https://kommun.se/bygglov">vår webbplats</a>.</p>'} />);
    expect(container.querySelector('a')).toBeNull();
    expect(container.textContent).toBe('Läs mer på vår webbplats (https://kommun.se/bygglov).');
  });

  it('turns headings into bold paragraphs (the page has its own outline)', () => {
    const { container } = render(<HtmlBody html={'<h1>Beslut</h1><div>Text</div>'} />);
    expect(container.innerHTML).toBe('<div class="letter-body"><p><strong>Beslut</strong></p><p>Text</p></div>');
  });
});
